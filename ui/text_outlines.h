#pragma once

#include <QList>
#include <QRectF>
#include <QSize>
#include <QString>
#include <functional>

class QPaintDevice;

namespace crisp::ui {

// A piece of text as drawn: its string and the tight box of its glyphs on the canvas (device
// coordinates, after every transform: rotated tick labels included).
struct DrawnText {
  QString text;
  QRectF box;
};

// Runs `paint` on a device whose text goes onto `target` as filled glyph outlines rather than
// as text: an SVG then needs no font to look as it does in the PDF (QSvgGenerator writes text
// with a family name only, which viewers swap for a generic "sans" of other metrics). Everything
// else (paths, images, clips) passes through unchanged. With a null target nothing is drawn and
// only the texts are measured on a canvas of `size` at 72 dpi. Returns every text drawn.
QList<DrawnText> paintTextAsOutlines(QPaintDevice* target, QSize size,
                                     const std::function<void(QPaintDevice&)>& paint);

}  // namespace crisp::ui
