#pragma once

#include <QAbstractTableModel>
#include <QVector>

#include "core/analysis/attention_stats.h"
#include "ui/studio_types.h"

namespace crisp::ui {

// Core's statistics of every head of one attention frame, a row per (layer, head) in layer-major
// order: entropy, the share of pairs kept and the mass on the diagonal, before and after the
// policy. Values are rounded as shown, so that sorting and reading agree with the screen.
class HeadStatisticsModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column {
    kLayer,
    kHead,
    kEntropyBefore,
    kEntropyAfter,
    kKeptPercent,
    kDiagonalBefore,
    kDiagonalAfter,
    kColumnCount
  };

  explicit HeadStatisticsModel(QObject* parent = nullptr);
  // Recomputes for a new frame; the same sentence at the same step again changes nothing.
  void setFrame(const AttentionFrame& f);
  void clear();
  int layerAt(int row) const { return rows_.value(row).layer; }  // 0-based
  int headAt(int row) const { return rows_.value(row).head; }
  // A line above the table on what it shows (the sentence, the step, the units).
  QString description() const;

  int rowCount(const QModelIndex& parent = QModelIndex()) const override;
  int columnCount(const QModelIndex& parent = QModelIndex()) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation,
                      int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    int layer = 0, head = 0;
    analysis::HeadStatistics before, after;
  };
  QVector<Row> rows_;
  QString sentence_;
  qint64 step_ = 0;
  int length_ = 0;
};

}  // namespace crisp::ui
