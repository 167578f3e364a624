#include "core/cli/attention_png.h"

#include <algorithm>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "core/io/png.h"
#include "core/io/raster_text.h"
#include "core/sys/input_error.h"
#include "core/train/predictor.h"

namespace crisp::cli {
namespace {

using Rgb = std::array<uint8_t, 3>;
constexpr Rgb kInk{32, 32, 32}, kFrame{150, 150, 150};
// The studio's figures use DejaVu Sans too; 12 px reads well at 100 % and in a document.
constexpr const char* kFont = "DejaVu Sans";
constexpr int kLabelPixels = 12, kTitlePixels = 14;
constexpr int kMargin = 16, kCellGap = 28, kPad = 4, kMapGap = 12, kBarWidth = 10;
constexpr int kMaxLabelWidth = 96;  // longer tokens are elided with "…"
constexpr int kMaxPanelTitleWidth = 240;
constexpr int kMaxFigureWidth = 1400;  // the header's width up to which the figure widens for it

std::string shortNumber(float value) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.2g", static_cast<double>(value));
  return buffer;
}

nlohmann::json boxJson(const PixelBox& b) {
  return {b.x, b.y, b.width, b.height};
}

void frame(RgbImage& image, const PixelBox& b) {
  image.fillRect(b.x - 1, b.y - 1, b.width + 2, 1, kFrame);
  image.fillRect(b.x - 1, b.y + b.height, b.width + 2, 1, kFrame);
  image.fillRect(b.x - 1, b.y, 1, b.height, kFrame);
  image.fillRect(b.x + b.width, b.y, 1, b.height, kFrame);
}

// Records every text box drawn, for the companion JSON.
struct TextLog {
  nlohmann::json boxes = nlohmann::json::array();
  void add(const std::string& text, const PixelBox& box) {
    boxes.push_back({{"text", text}, {"box", boxJson(box)}});
  }
};

}  // namespace

nlohmann::json writeAttentionPng(const std::string& path, const AttentionPngRequest& request) {
  const Prediction& p = request.prediction;
  const int t = static_cast<int>(p.tokens.size());
  const RasterFont label(kFont, kLabelPixels), title(kFont, kTitlePixels);

  // Maps of about 320 px, wide enough for their titles when there are few tokens. Token labels
  // are elided to a bounded width; with small cells only every step-th is drawn, so that
  // neighbours never overlap.
  const std::string beforeTitle = "before (dense)", afterTitle = "after (" + request.policy + ")";
  const int titleWidth =
      std::min(kMaxPanelTitleWidth, std::max(label.width(beforeTitle), label.width(afterTitle)));
  const int pixelsPerToken =
      std::clamp(std::max(320 / std::max(t, 1), (titleWidth + t - 1) / std::max(t, 1)), 3, 64);
  const int step = (label.lineHeight() + pixelsPerToken - 1) / pixelsPerToken;
  std::vector<std::string> tokens;
  int labelLength = 0;
  for (int i = 0; i < t; ++i) {
    tokens.push_back(label.elide(p.tokens[i], kMaxLabelWidth));
    if (i % step == 0) labelLength = std::max(labelLength, label.width(tokens.back()));
  }

  // One cell's geometry, relative to its top-left corner.
  const int map = t * pixelsPerToken;
  // "%.2g" of a maximum attention weight in [1e-4, 1] is at most this wide.
  const int barLabelWidth = label.width("0.00088") + kPad;
  const int mapTop = title.lineHeight() + kPad + label.lineHeight() + kPad;
  const int beforeLeft = labelLength + kPad, afterLeft = beforeLeft + map + kMapGap;
  const int barLeft = afterLeft + map + kMapGap;
  const int cellWidth = barLeft + kBarWidth + kPad + barLabelWidth;
  const int cellHeight = mapTop + map + kPad + labelLength;

  const int cols = static_cast<int>(request.heads.size());
  const int rows = static_cast<int>(request.layers.size());
  const int headerHeight = 2 * title.lineHeight() + kPad;
  const std::string sentence = "\u201c" + request.sentence + "\u201d";
  std::string verdict = p.labelName;
  if (p.label >= 0 && p.label < static_cast<int>(p.probabilities.size())) {
    char probability[16];
    std::snprintf(probability, sizeof probability, " (%.3f)",
                  static_cast<double>(p.probabilities[p.label]));
    verdict += probability;
  }
  const std::string about =
      request.model + "  \u00b7  policy " + request.policy + "  \u00b7  predicted " + verdict;
  const int headerWidth =
      std::min(kMaxFigureWidth - 2 * kMargin, std::max(title.width(sentence), label.width(about)));
  const int width = 2 * kMargin + std::max(headerWidth, cols * cellWidth + (cols - 1) * kCellGap);
  const int height =
      2 * kMargin + headerHeight + kCellGap + rows * cellHeight + (rows - 1) * kCellGap;
  if (static_cast<int64_t>(width) * height > 64LL * 1024 * 1024) {
    throw InputError("--format png: the image would be " + std::to_string(width) + "x" +
                     std::to_string(height) + " pixels; choose --layer and --head");
  }
  RgbImage image(width, height);
  TextLog log;
  const auto text = [&](const RasterFont& font, int x, int baseline, const std::string& s) {
    log.add(s, font.draw(image, x, baseline, s, kInk));
  };

  // Header: the sentence, then model, policy and prediction.
  const int textWidth = width - 2 * kMargin;
  text(title, kMargin, kMargin + title.ascent(), title.elide(sentence, textWidth));
  text(label, kMargin, kMargin + title.lineHeight() + kPad + title.ascent(),
       label.elide(about, textWidth));

  nlohmann::json cells = nlohmann::json::array();
  const int size = t;  // maps are [layer][head][t][t]
  const auto at = [&](const std::vector<float>& maps, int l, int h, int q, int k) {
    return maps[((static_cast<size_t>(l) * p.heads + h) * size + q) * size + k];
  };
  for (int r = 0; r < rows; ++r) {
    for (int c = 0; c < cols; ++c) {
      const int l = request.layers[r], h = request.heads[c];
      const int x0 = kMargin + c * (cellWidth + kCellGap);
      const int y0 = kMargin + headerHeight + kCellGap + r * (cellHeight + kCellGap);
      float scaleMax = 0;
      for (int q = 0; q < t; ++q) {
        for (int k = 0; k < t; ++k) {
          scaleMax = std::max({scaleMax, at(p.before, l, h, q, k), at(p.after, l, h, q, k)});
        }
      }
      const double scale = scaleMax > 0 ? 1.0 / scaleMax : 0.0;
      const PixelBox before{x0 + beforeLeft, y0 + mapTop, map, map};
      const PixelBox after{x0 + afterLeft, y0 + mapTop, map, map};
      for (int q = 0; q < t; ++q) {
        for (int k = 0; k < t; ++k) {
          image.fillRect(before.x + k * pixelsPerToken, before.y + q * pixelsPerToken,
                         pixelsPerToken, pixelsPerToken, viridis(at(p.before, l, h, q, k) * scale));
          image.fillRect(after.x + k * pixelsPerToken, after.y + q * pixelsPerToken, pixelsPerToken,
                         pixelsPerToken, viridis(at(p.after, l, h, q, k) * scale));
        }
      }
      frame(image, before);
      frame(image, after);

      text(title, x0, y0 + title.ascent(),
           title.elide("layer " + std::to_string(l) + " \u00b7 head " + std::to_string(h),
                       cellWidth));
      const int panelBaseline = y0 + title.lineHeight() + kPad + label.ascent();
      text(label, before.x, panelBaseline, label.elide(beforeTitle, map));
      text(label, after.x, panelBaseline, label.elide(afterTitle, map));

      // Queries down the left, keys along the bottom of both maps, reading upwards.
      const int centring = (label.ascent() - label.descent()) / 2;
      for (int i = 0; i < t; i += step) {
        const int centre = i * pixelsPerToken + pixelsPerToken / 2;
        const int w = label.width(tokens[i]);
        text(label, before.x - kPad - w, before.y + centre + centring, tokens[i]);
        for (const PixelBox& m : {before, after}) {
          log.add(tokens[i], label.drawUpward(image, m.x + centre + centring, m.y + map + kPad + w,
                                              tokens[i], kInk));
        }
      }

      // The colour bar: 0 at the bottom, the cell's maximum at the top.
      const PixelBox bar{x0 + barLeft, before.y, kBarWidth, map};
      for (int y = 0; y < map; ++y) {
        image.fillRect(bar.x, bar.y + y, kBarWidth, 1,
                       viridis(1.0 - (y + 0.5) / static_cast<double>(map)));
      }
      frame(image, bar);
      const float ticks[] = {scaleMax, scaleMax / 2, 0.0F};
      for (int i = 0; i < 3; ++i) {
        if (i == 1 && map < 3 * label.lineHeight()) continue;  // no room for a middle label
        const int y = bar.y + (i == 0 ? 0 : i == 1 ? map / 2 : map - 1);
        image.fillRect(bar.x + kBarWidth, y, 3, 1, kInk);
        // Clamped so that the top and bottom labels stay beside the bar.
        const int baseline =
            std::clamp(y + centring, bar.y + label.ascent() - label.descent(), bar.y + map);
        text(label, bar.x + kBarWidth + kPad, baseline, shortNumber(ticks[i]));
      }
      cells.push_back({{"layer", l},
                       {"head", h},
                       {"max", scaleMax},
                       {"before", boxJson(before)},
                       {"after", boxJson(after)},
                       {"colour_bar", boxJson(bar)}});
    }
  }
  writePng(path, image);
  return {{"image", path},
          {"width", width},
          {"height", height},
          {"font", label.file()},
          {"layout",
           "rows are layers, columns heads; each cell is the map before the policy beside the map "
           "after it (query rows, key columns, in token order) on one viridis scale from 0 to the "
           "cell's max, shown by its colour bar"},
          {"pixels_per_token", pixelsPerToken},
          {"label_step", step},
          {"cells", cells},
          {"text_boxes", log.boxes}};
}

}  // namespace crisp::cli
