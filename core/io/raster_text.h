#pragma once

// Text for the PNG figures core writes without Qt (`crisp inspect --format png`): glyphs
// rasterised by FreeType from the font fontconfig picks for a pattern, blended into an RgbImage.
// Characters the font lacks (CJK, emoji) come from the fallback fontconfig names for each.

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/io/png.h"

namespace crisp {

// A rectangle in image pixels, y down.
struct PixelBox {
  int x = 0, y = 0, width = 0, height = 0;
};

class RasterFont {
 public:
  // The best match for a fontconfig pattern (e.g. "DejaVu Sans") at pixelSize pixels per em.
  // Throws crisp::Error naming the pattern when fontconfig finds no font file, or naming the file
  // when FreeType cannot open it.
  RasterFont(const std::string& pattern, int pixelSize);
  ~RasterFont();
  RasterFont(const RasterFont&) = delete;
  RasterFont& operator=(const RasterFont&) = delete;

  const std::string& file() const;  // the primary font file
  int ascent() const;               // pixels above the baseline
  int descent() const;              // pixels below it
  int lineHeight() const { return ascent() + descent(); }
  // The advance width of `text` in pixels; invalid UTF-8 bytes count as U+FFFD.
  int width(std::string_view text) const;
  // The longest prefix of `text` that, with "…" appended when cut, is at most maxWidth wide.
  std::string elide(std::string_view text, int maxWidth) const;

  // Draws `text` with the left end of its baseline at (x, y); returns its line box (advance
  // width by ascent + descent). Pixels outside the image are clipped.
  PixelBox draw(RgbImage& image, int x, int y, std::string_view text,
                std::array<uint8_t, 3> colour) const;
  // The same turned 90° counter-clockwise, reading upwards from (x, y).
  PixelBox drawUpward(RgbImage& image, int x, int y, std::string_view text,
                      std::array<uint8_t, 3> colour) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace crisp
