#pragma once

// A small PNG encoder (8-bit RGB, zlib through the system's libz) and the viridis colour map,
// for heatmaps written without Qt (`crisp inspect --format png`).

#include <array>
#include <cstdint>
#include <string>
#include <vector>

namespace crisp {

struct RgbImage {
  int width = 0, height = 0;
  std::vector<uint8_t> pixels;  // row-major, 3 bytes per pixel

  RgbImage(int width, int height, std::array<uint8_t, 3> fill = {255, 255, 255});
  void set(int x, int y, std::array<uint8_t, 3> rgb);
  void fillRect(int x, int y, int w, int h, std::array<uint8_t, 3> rgb);
};

// The PNG file's bytes: signature, IHDR, one IDAT, IEND.
std::string encodePng(const RgbImage& image);
// Writes encodePng(image) atomically; throws crisp::Error naming the path.
void writePng(const std::string& path, const RgbImage& image);

// matplotlib's viridis at t in [0, 1] (clamped), interpolated between nine of its entries.
std::array<uint8_t, 3> viridis(double t);

}  // namespace crisp
