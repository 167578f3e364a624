#include "ui/views/head_statistics_model.h"

#include <cmath>

namespace crisp::ui {
namespace {

double rounded(double value, int decimals) {
  return QString::number(value, 'f', decimals).toDouble();
}

}  // namespace

HeadStatisticsModel::HeadStatisticsModel(QObject* parent) : QAbstractTableModel(parent) {}

void HeadStatisticsModel::setFrame(const AttentionFrame& f) {
  if (f.sentence == sentence_ && f.step == step_ && rows_.size() == f.layers * f.heads) return;
  const auto before =
      analysis::allHeadStatistics(f.before.constData(), f.layers, f.heads, f.length);
  const auto after = analysis::allHeadStatistics(f.after.constData(), f.layers, f.heads, f.length);
  beginResetModel();
  rows_.clear();
  for (int l = 0; l < f.layers; ++l) {
    for (int h = 0; h < f.heads; ++h) {
      const size_t i = static_cast<size_t>(l * f.heads + h);
      rows_.append({l, h, before[i], after[i]});
    }
  }
  sentence_ = f.sentence;
  step_ = f.step;
  length_ = f.length;
  endResetModel();
}

void HeadStatisticsModel::clear() {
  beginResetModel();
  rows_.clear();
  sentence_.clear();
  step_ = 0;
  length_ = 0;
  endResetModel();
}

QString HeadStatisticsModel::description() const {
  if (rows_.isEmpty()) return tr("Statistics of every head appear with the first attention map.");
  return tr("“%1”, step %2, all %3 tokens incl. [CLS]/[SEP]. Entropy in nats (uniform over %3 "
            "keys: %4). Kept %: non-zero attention after the policy. Click a row to show that "
            "head.")
      .arg(sentence_)
      .arg(step_)
      .arg(length_)
      .arg(std::log(std::max(1, length_)), 0, 'f', 2);
}

int HeadStatisticsModel::rowCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : static_cast<int>(rows_.size());
}

int HeadStatisticsModel::columnCount(const QModelIndex& parent) const {
  return parent.isValid() ? 0 : kColumnCount;
}

QVariant HeadStatisticsModel::data(const QModelIndex& index, int role) const {
  if (!checkIndex(index, CheckIndexOption::IndexIsValid)) return {};
  if (role == Qt::TextAlignmentRole) return QVariant(Qt::AlignRight | Qt::AlignVCenter);
  if (role != Qt::DisplayRole) return {};
  const Row& r = rows_[index.row()];
  switch (index.column()) {
    case kLayer: return r.layer + 1;
    case kHead: return r.head + 1;
    case kEntropyBefore: return rounded(r.before.entropy, 3);
    case kEntropyAfter: return rounded(r.after.entropy, 3);
    case kKeptPercent: return rounded(100.0 * r.after.keptFraction, 1);
    case kDiagonalBefore: return rounded(r.before.diagonalMass, 3);
    case kDiagonalAfter: return rounded(r.after.diagonalMass, 3);
    default: return {};
  }
}

QVariant HeadStatisticsModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal)
    return QAbstractTableModel::headerData(section, orientation, role);
  if (role == Qt::DisplayRole) {
    switch (section) {
      case kLayer: return tr("Layer");
      case kHead: return tr("Head");
      case kEntropyBefore: return tr("Entropy before");
      case kEntropyAfter: return tr("Entropy after");
      case kKeptPercent: return tr("Kept %");
      case kDiagonalBefore: return tr("Diagonal before");
      case kDiagonalAfter: return tr("Diagonal after");
      default: return {};
    }
  }
  if (role == Qt::ToolTipRole) {
    switch (section) {
      case kEntropyBefore: return tr("Mean over query rows of −Σ p ln p (nats)");
      case kKeptPercent:
        return tr("Share of (query, key) pairs with non-zero attention after the policy");
      case kDiagonalBefore: return tr("Mean attention of a token to itself");
      default: return {};
    }
  }
  return {};
}

}  // namespace crisp::ui
