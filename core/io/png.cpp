#include "core/io/png.h"

#include <zlib.h>

#include <algorithm>
#include <cmath>

#include "core/io/atomic_file.h"
#include "core/sys/error.h"

namespace crisp {
namespace {

void appendBigEndian(std::string& out, uint32_t value) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>(value >> shift));
}

void appendChunk(std::string& out, const char type[4], const std::string& data) {
  appendBigEndian(out, static_cast<uint32_t>(data.size()));
  const size_t start = out.size();
  out.append(type, 4);
  out += data;
  // The CRC covers the chunk type and data, not the length.
  const uLong crc = crc32(0L, reinterpret_cast<const Bytef*>(out.data() + start),
                          static_cast<uInt>(out.size() - start));
  appendBigEndian(out, static_cast<uint32_t>(crc));
}

}  // namespace

RgbImage::RgbImage(int w, int h, std::array<uint8_t, 3> fill) : width(w), height(h) {
  if (w <= 0 || h <= 0) throw Error("PNG image: empty size");
  pixels.resize(static_cast<size_t>(w) * h * 3);
  for (size_t i = 0; i < pixels.size(); i += 3) std::copy(fill.begin(), fill.end(), &pixels[i]);
}

void RgbImage::set(int x, int y, std::array<uint8_t, 3> rgb) {
  if (x < 0 || y < 0 || x >= width || y >= height) return;
  std::copy(rgb.begin(), rgb.end(), &pixels[(static_cast<size_t>(y) * width + x) * 3]);
}

void RgbImage::fillRect(int x, int y, int w, int h, std::array<uint8_t, 3> rgb) {
  for (int j = y; j < y + h; ++j) {
    for (int i = x; i < x + w; ++i) set(i, j, rgb);
  }
}

std::string encodePng(const RgbImage& image) {
  // Each row is prefixed by its filter type; 0 (none) keeps the encoder trivial.
  const size_t rowBytes = static_cast<size_t>(image.width) * 3;
  std::string raw;
  raw.reserve((rowBytes + 1) * image.height);
  for (int y = 0; y < image.height; ++y) {
    raw.push_back('\0');
    raw.append(reinterpret_cast<const char*>(&image.pixels[y * rowBytes]), rowBytes);
  }
  uLongf compressedSize = compressBound(static_cast<uLong>(raw.size()));
  std::string compressed(compressedSize, '\0');
  if (compress2(reinterpret_cast<Bytef*>(compressed.data()), &compressedSize,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK) {
    throw Error("PNG image: zlib compression failed");
  }
  compressed.resize(compressedSize);

  std::string png("\x89PNG\r\n\x1a\n", 8);
  std::string header;
  appendBigEndian(header, static_cast<uint32_t>(image.width));
  appendBigEndian(header, static_cast<uint32_t>(image.height));
  header +=
      std::string("\x08\x02\x00\x00\x00", 5);  // 8 bits, RGB, deflate, no filter, no interlace
  appendChunk(png, "IHDR", header);
  appendChunk(png, "IDAT", compressed);
  appendChunk(png, "IEND", "");
  return png;
}

void writePng(const std::string& path, const RgbImage& image) {
  writeFileAtomically(path, encodePng(image));
}

std::array<uint8_t, 3> viridis(double t) {
  static const std::array<std::array<uint8_t, 3>, 9> kStops = {{{68, 1, 84},
                                                                {71, 44, 122},
                                                                {59, 81, 139},
                                                                {44, 113, 142},
                                                                {33, 144, 141},
                                                                {39, 173, 129},
                                                                {92, 200, 99},
                                                                {170, 220, 50},
                                                                {253, 231, 37}}};
  if (!(t > 0)) t = 0;  // also NaN
  t = std::min(t, 1.0) * (kStops.size() - 1);
  const size_t i = std::min(static_cast<size_t>(t), kStops.size() - 2);
  const double f = t - static_cast<double>(i);
  std::array<uint8_t, 3> rgb;
  for (int c = 0; c < 3; ++c) {
    rgb[c] =
        static_cast<uint8_t>(std::lround(kStops[i][c] + f * (kStops[i + 1][c] - kStops[i][c])));
  }
  return rgb;
}

}  // namespace crisp
