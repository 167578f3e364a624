#pragma once

#include <QImage>
#include <QVector>
#include <QWidget>

namespace crisp::ui {

// Every layer x head of one sentence as a small heatmap (rows: layers, columns: heads); a click
// picks the head shown large. Each thumbnail is scaled to its own maximum so that weak heads
// still show their pattern.
class AttentionGrid : public QWidget {
  Q_OBJECT
 public:
  explicit AttentionGrid(QWidget* parent = nullptr);
  // maps: [layer][head][query][key] row-major; shown: the token indices to draw.
  void setMaps(const QVector<float>& maps, int layers, int heads, int length,
               const QVector<int>& shown);
  void clear();
  // head < 0 marks the whole layer (mean over heads); layer < 0 marks nothing.
  void setSelected(int layer, int head);
  int layers() const { return layers_; }
  int heads() const { return heads_; }
  int cellCount() const { return static_cast<int>(images_.size()); }
  QRect cellRect(int layer, int head) const;
  QSize sizeHint() const override;
  QSize minimumSizeHint() const override;

 Q_SIGNALS:
  void cellClicked(int layer, int head);

 protected:
  void paintEvent(QPaintEvent* event) override;
  void mousePressEvent(QMouseEvent* event) override;
  bool event(QEvent* event) override;  // tooltips

 private:
  int cellSize() const;
  QVector<QImage> images_;  // layer-major
  int layers_ = 0, heads_ = 0, selectedLayer_ = -1, selectedHead_ = -1;
};

}  // namespace crisp::ui
