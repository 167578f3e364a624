#include "ui/theme.h"

#include <QApplication>
#include <QPainter>
#include <QPalette>
#include <QProxyStyle>
#include <QStyleFactory>
#include <QStyleOption>

namespace crisp::ui {
namespace {

// Fusion with check boxes that show on a dark theme: Fusion outlines them in the window colour
// darkened, which on a dark base is nearly invisible.
class StudioStyle : public QProxyStyle {
 public:
  StudioStyle() : QProxyStyle(QStyleFactory::create(QStringLiteral("Fusion"))) {}

  void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                     const QWidget* widget) const override {
    QProxyStyle::drawPrimitive(element, option, painter, widget);
    const bool checkBox =
        element == PE_IndicatorCheckBox || element == PE_IndicatorItemViewItemCheck;
    if (!checkBox || option->palette.color(QPalette::Base).lightness() >= 128) return;
    // Over Fusion's outline, where Fusion draws it.
    painter->save();
    painter->setRenderHint(QPainter::Antialiasing, true);
    painter->translate(0.5, 0.5);
    painter->setBrush(Qt::NoBrush);
    painter->setPen(option->palette.color(QPalette::Mid).lighter(150));
    painter->drawRect(option->rect.adjusted(0, 0, -1, -1));
    painter->restore();
  }
};

}  // namespace

void applyTheme(const QString& theme) {
  // Replacing the style deletes the old one under live widgets: do it once only.
  if (dynamic_cast<StudioStyle*>(QApplication::style()) == nullptr)
    QApplication::setStyle(new StudioStyle);
  if (theme != QLatin1String("dark")) {
    QApplication::setPalette(QApplication::style()->standardPalette());
    return;
  }
  QPalette p;
  const QColor window(45, 47, 51), base(30, 31, 34), text(225, 226, 228), mid(90, 92, 97);
  p.setColor(QPalette::Window, window);
  p.setColor(QPalette::WindowText, text);
  p.setColor(QPalette::Base, base);
  p.setColor(QPalette::AlternateBase, window);
  p.setColor(QPalette::ToolTipBase, base);
  p.setColor(QPalette::ToolTipText, text);
  p.setColor(QPalette::PlaceholderText, QColor(140, 142, 146));
  p.setColor(QPalette::Text, text);
  p.setColor(QPalette::Button, window);
  p.setColor(QPalette::ButtonText, text);
  p.setColor(QPalette::BrightText, Qt::red);
  p.setColor(QPalette::Link, QColor(110, 170, 240));
  p.setColor(QPalette::Highlight, QColor(53, 110, 180));
  p.setColor(QPalette::HighlightedText, Qt::white);
  p.setColor(QPalette::Mid, mid);
  p.setColor(QPalette::Dark, QColor(25, 26, 28));
  for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText}) {
    p.setColor(QPalette::Disabled, role, QColor(120, 122, 126));
  }
  QApplication::setPalette(p);
}

}  // namespace crisp::ui
