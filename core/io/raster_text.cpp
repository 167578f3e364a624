#include "core/io/raster_text.h"

#include <fontconfig/fontconfig.h>
#include <ft2build.h>
#include FT_FREETYPE_H

#include <map>
#include <utility>
#include <vector>

#include "core/sys/error.h"
#include "core/sys/utf8.h"

namespace crisp {
namespace {

// A rendered glyph: 8-bit coverage, placed relative to the pen on the baseline.
struct Glyph {
  int width = 0, rows = 0, left = 0, top = 0;
  long advance = 0;  // 26.6 fixed point
  std::vector<uint8_t> coverage;
};

std::vector<char32_t> codePoints(std::string_view text) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < text.size();) {
    const Utf8CodePoint d = decodeUtf8(text, i);
    out.push_back(d.length > 0 ? d.cp : char32_t{0xFFFD});
    i += d.length > 0 ? static_cast<size_t>(d.length) : 1;
  }
  return out;
}

// The font file and face index fontconfig picks for `pattern`, or for the first font of that
// pattern's fallback list holding `cp` when cp is not 0.
std::pair<std::string, int> matchFont(const std::string& pattern, char32_t cp) {
  FcPattern* request = FcNameParse(reinterpret_cast<const FcChar8*>(pattern.c_str()));
  if (request == nullptr)
    throw Error("font pattern \"" + pattern + "\": fontconfig cannot parse it");
  FcPatternAddBool(request, FC_SCALABLE, FcTrue);
  if (cp != 0) {
    FcCharSet* wanted = FcCharSetCreate();
    FcCharSetAddChar(wanted, cp);
    FcPatternAddCharSet(request, FC_CHARSET, wanted);
    FcCharSetDestroy(wanted);
  }
  FcConfigSubstitute(nullptr, request, FcMatchPattern);
  FcDefaultSubstitute(request);
  FcResult result = FcResultNoMatch;
  FcPattern* match = FcFontMatch(nullptr, request, &result);
  FcPatternDestroy(request);
  std::pair<std::string, int> found{"", 0};
  if (match != nullptr) {
    FcChar8* file = nullptr;
    if (FcPatternGetString(match, FC_FILE, 0, &file) == FcResultMatch) {
      found.first = reinterpret_cast<const char*>(file);
    }
    FcPatternGetInteger(match, FC_INDEX, 0, &found.second);
    FcPatternDestroy(match);
  }
  return found;
}

}  // namespace

struct RasterFont::Impl {
  std::string pattern;
  int pixelSize = 0;
  FT_Library library = nullptr;
  std::map<std::pair<std::string, int>, FT_Face> faces;  // the primary and the fallbacks opened
  FT_Face primary = nullptr;
  std::string primaryFile;
  std::map<char32_t, Glyph> glyphs;

  ~Impl() {
    for (auto& [key, face] : faces) FT_Done_Face(face);
    if (library != nullptr) FT_Done_FreeType(library);
  }

  // Opens (once) a face at the font's pixel size; nullptr when it cannot be scaled to it (a
  // bitmap-only font such as colour emoji) and it is a fallback. The primary must open.
  FT_Face open(const std::pair<std::string, int>& key, bool required) {
    if (const auto it = faces.find(key); it != faces.end()) return it->second;
    FT_Face face = nullptr;
    if (FT_New_Face(library, key.first.c_str(), key.second, &face) != 0) {
      if (required) throw Error(key.first + ": FreeType cannot open this font file");
      return nullptr;
    }
    if (FT_Set_Pixel_Sizes(face, 0, static_cast<FT_UInt>(pixelSize)) != 0) {
      FT_Done_Face(face);
      if (required) throw Error(key.first + ": FreeType cannot scale this font");
      return nullptr;
    }
    faces.emplace(key, face);
    return face;
  }

  const Glyph& glyph(char32_t cp) {
    if (const auto it = glyphs.find(cp); it != glyphs.end()) return it->second;
    FT_Face face = primary;
    FT_UInt index = FT_Get_Char_Index(primary, cp);
    if (index == 0 && cp >= 0x20) {
      if (FT_Face fallback = open(matchFont(pattern, cp), false)) {
        if (const FT_UInt i = FT_Get_Char_Index(fallback, cp); i != 0) face = fallback, index = i;
      }
    }
    Glyph g;
    // A glyph that fails to render (or the font's missing-glyph box, index 0) still advances.
    if (FT_Load_Glyph(face, index, FT_LOAD_RENDER | FT_LOAD_COLOR) == 0) {
      const FT_GlyphSlot slot = face->glyph;
      const FT_Bitmap& bitmap = slot->bitmap;
      g.width = static_cast<int>(bitmap.width);
      g.rows = static_cast<int>(bitmap.rows);
      g.left = slot->bitmap_left;
      g.top = slot->bitmap_top;
      g.advance = slot->advance.x;
      g.coverage.resize(static_cast<size_t>(g.width) * g.rows);
      for (int r = 0; r < g.rows; ++r) {
        const unsigned char* row = bitmap.buffer + static_cast<ptrdiff_t>(r) * bitmap.pitch;
        for (int c = 0; c < g.width; ++c) {
          uint8_t a = 0;
          if (bitmap.pixel_mode == FT_PIXEL_MODE_GRAY) {
            a = row[c];
          } else if (bitmap.pixel_mode == FT_PIXEL_MODE_MONO) {
            a = (row[c / 8] >> (7 - c % 8)) & 1 ? 255 : 0;
          } else if (bitmap.pixel_mode == FT_PIXEL_MODE_BGRA) {
            a = row[4 * c + 3];
          }
          g.coverage[static_cast<size_t>(r) * g.width + c] = a;
        }
      }
    }
    return glyphs.emplace(cp, std::move(g)).first->second;
  }

  // Calls put(u, v, coverage) for every covered pixel of `text` laid out on one line: u from the
  // pen's start, v from the top of the line box (the baseline at v = ascent).
  template <typename Put>
  long layout(std::string_view text, Put&& put) {
    const int ascent = static_cast<int>(primary->size->metrics.ascender >> 6);
    long pen = 0;
    for (char32_t cp : codePoints(text)) {
      const Glyph& g = glyph(cp);
      const int x0 = static_cast<int>(pen >> 6) + g.left, y0 = ascent - g.top;
      for (int r = 0; r < g.rows; ++r) {
        for (int c = 0; c < g.width; ++c) {
          const uint8_t a = g.coverage[static_cast<size_t>(r) * g.width + c];
          if (a != 0) put(x0 + c, y0 + r, a);
        }
      }
      pen += g.advance;
    }
    return pen;
  }
};

namespace {

void blend(RgbImage& image, int x, int y, std::array<uint8_t, 3> colour, uint8_t coverage) {
  if (x < 0 || y < 0 || x >= image.width || y >= image.height) return;
  uint8_t* pixel = &image.pixels[(static_cast<size_t>(y) * image.width + x) * 3];
  for (int i = 0; i < 3; ++i) {
    pixel[i] = static_cast<uint8_t>(pixel[i] + ((colour[i] - pixel[i]) * coverage + 127) / 255);
  }
}

}  // namespace

RasterFont::RasterFont(const std::string& pattern, int pixelSize) : impl_(new Impl) {
  if (pixelSize < 4 || pixelSize > 256) {
    throw Error("font size " + std::to_string(pixelSize) + " px: expected 4 to 256");
  }
  impl_->pattern = pattern;
  impl_->pixelSize = pixelSize;
  if (FcInit() != FcTrue) throw Error("fontconfig failed to load its configuration");
  const std::pair<std::string, int> primary = matchFont(pattern, 0);
  if (primary.first.empty()) {
    throw Error("no font found for \"" + pattern +
                "\" (fontconfig lists none; install fonts-dejavu-core)");
  }
  if (FT_Init_FreeType(&impl_->library) != 0) throw Error("FreeType failed to initialise");
  impl_->primary = impl_->open(primary, true);
  impl_->primaryFile = primary.first;
}

RasterFont::~RasterFont() = default;

const std::string& RasterFont::file() const {
  return impl_->primaryFile;
}

int RasterFont::ascent() const {
  return static_cast<int>(impl_->primary->size->metrics.ascender >> 6);
}

int RasterFont::descent() const {
  return static_cast<int>(-impl_->primary->size->metrics.descender >> 6);
}

int RasterFont::width(std::string_view text) const {
  return static_cast<int>((impl_->layout(text, [](int, int, uint8_t) {}) + 63) >> 6);
}

std::string RasterFont::elide(std::string_view text, int maxWidth) const {
  if (width(text) <= maxWidth) return std::string(text);
  const std::string ellipsis = "\u2026";
  std::string kept;
  for (size_t i = 0; i < text.size();) {
    const Utf8CodePoint d = decodeUtf8(text, i);
    const size_t length = d.length > 0 ? static_cast<size_t>(d.length) : 1;
    const std::string longer = kept + std::string(text.substr(i, length));
    if (width(longer + ellipsis) > maxWidth) break;
    kept = longer;
    i += length;
  }
  return kept + ellipsis;
}

PixelBox RasterFont::draw(RgbImage& image, int x, int y, std::string_view text,
                          std::array<uint8_t, 3> colour) const {
  const int top = y - ascent();
  const long pen = impl_->layout(
      text, [&](int u, int v, uint8_t a) { blend(image, x + u, top + v, colour, a); });
  return {x, top, static_cast<int>((pen + 63) >> 6), lineHeight()};
}

PixelBox RasterFont::drawUpward(RgbImage& image, int x, int y, std::string_view text,
                                std::array<uint8_t, 3> colour) const {
  // Turned counter-clockwise: the text's u axis points up the image, its v axis to the right.
  const int left = x - ascent();
  const long pen = impl_->layout(
      text, [&](int u, int v, uint8_t a) { blend(image, left + v, y - 1 - u, colour, a); });
  const int length = static_cast<int>((pen + 63) >> 6);
  return {left, y - length, lineHeight(), length};
}

}  // namespace crisp
