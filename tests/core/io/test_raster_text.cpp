// RasterFont: the text of core's PNG figures (FreeType glyphs in the font fontconfig picks).
#include <QtTest>

#include <filesystem>

#include "core/io/raster_text.h"
#include "core/sys/error.h"

using crisp::PixelBox;
using crisp::RasterFont;
using crisp::RgbImage;

namespace {

constexpr std::array<uint8_t, 3> kWhite{255, 255, 255}, kBlack{0, 0, 0};

bool inked(const RgbImage& image, int x, int y) {
  return image.pixels[(static_cast<size_t>(y) * image.width + x) * 3] != 255;
}

// The number of inked pixels, and whether all of them lie inside `box` grown by `slack` pixels
// (a glyph's ink may pass its line box by a side bearing or an accent).
std::pair<int, bool> ink(const RgbImage& image, const PixelBox& box, int slack) {
  int count = 0;
  bool inside = true;
  for (int y = 0; y < image.height; ++y) {
    for (int x = 0; x < image.width; ++x) {
      if (!inked(image, x, y)) continue;
      ++count;
      inside = inside && x >= box.x - slack && x < box.x + box.width + slack &&
               y >= box.y - slack && y < box.y + box.height + slack;
    }
  }
  return {count, inside};
}

}  // namespace

class TestRasterText : public QObject {
  Q_OBJECT

 private Q_SLOTS:
  void findsAFontAndMeasures() {
    const RasterFont font("DejaVu Sans", 12);
    QVERIFY2(std::filesystem::exists(font.file()), font.file().c_str());
    QVERIFY(font.ascent() > 6 && font.descent() > 0 && font.lineHeight() <= 18);
    QCOMPARE(font.width(""), 0);
    QVERIFY(font.width("ab") > font.width("a"));
    QVERIFY(font.width("wonderful") > 40);
  }

  void drawsInsideItsLineBox() {
    const RasterFont font("DejaVu Sans", 12);
    RgbImage image(200, 40, kWhite);
    const PixelBox box = font.draw(image, 10, 25, "Wonderful [SEP]", kBlack);
    QCOMPARE(box.x, 10);
    QCOMPARE(box.y, 25 - font.ascent());
    QCOMPARE(box.width, font.width("Wonderful [SEP]"));
    QCOMPARE(box.height, font.lineHeight());
    const auto [count, inside] = ink(image, box, 1);
    QVERIFY2(count > 60, qPrintable(QString::number(count)));
    QVERIFY(inside);
  }

  // Upward text is the horizontal rendering turned 90° counter-clockwise, pixel for pixel.
  void upwardIsTheSameTextTurned() {
    const RasterFont font("DejaVu Sans", 12);
    const std::string text = "ending, truly";
    RgbImage across(120, 30, kWhite), up(30, 120, kWhite);
    const PixelBox a = font.draw(across, 0, font.ascent(), text, kBlack);
    const PixelBox u = font.drawUpward(up, font.ascent(), 110, text, kBlack);
    QCOMPARE(u.width, a.height);
    QCOMPARE(u.height, a.width);
    QCOMPARE(u.y, 110 - a.width);
    QVERIFY(ink(up, u, 1).second);
    for (int v = 0; v < a.height; ++v) {
      for (int x = 0; x < a.width; ++x) {
        QCOMPARE(inked(up, u.x + v, 110 - 1 - x), inked(across, x, v));
      }
    }
  }

  void invalidUtf8IsAReplacementCharacter() {
    const RasterFont font("DejaVu Sans", 12);
    QCOMPARE(font.width("a\xff"
                        "b"),
             font.width("a\xef\xbf\xbd"
                        "b"));
    QCOMPARE(font.width("a\xe2\x82"), font.width("a\xef\xbf\xbd\xef\xbf\xbd"));
  }

  void elidesToTheWidthGiven() {
    const RasterFont font("DejaVu Sans", 12);
    QCOMPARE(font.elide("film", 100), std::string("film"));
    const std::string cut = font.elide("an extraordinarily long token indeed", 60);
    QVERIFY(font.width(cut) <= 60);
    QVERIFY(cut.size() > 3 && cut.substr(cut.size() - 3) == "\u2026");
    QCOMPARE(font.elide("wonderful", 1), std::string("\u2026"));
  }

  void clipsAtTheImageEdges() {
    const RasterFont font("DejaVu Sans", 14);
    RgbImage image(20, 10, kWhite);
    font.draw(image, -30, 5, "clipped at every edge", kBlack);
    font.drawUpward(image, 15, 200, "clipped at every edge", kBlack);
    QVERIFY(ink(image, {0, 0, 20, 10}, 0).first > 0);
  }

  void refusesAnAbsurdSize() {
    QVERIFY_THROWS_EXCEPTION(crisp::Error, RasterFont("DejaVu Sans", 0));
    QVERIFY_THROWS_EXCEPTION(crisp::Error, RasterFont("DejaVu Sans", 100000));
  }
};

QTEST_APPLESS_MAIN(TestRasterText)
#include "test_raster_text.moc"
