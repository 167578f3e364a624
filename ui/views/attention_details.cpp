#include "ui/views/attention_details.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "ui/views/attention_grid.h"
#include "ui/views/attention_view.h"
#include "ui/views/dam_mask_panel.h"
#include "ui/views/head_statistics_model.h"

namespace crisp::ui {
namespace {

// A page: widgets stacked with a small margin, the last one stretching.
void addPage(QTabWidget* tabs, const QString& title, QWidget* page,
             std::initializer_list<QWidget*> widgets) {
  auto* layout = new QVBoxLayout(page);
  layout->setContentsMargins(4, 4, 4, 4);
  for (QWidget* w : widgets) layout->addWidget(w, w == *(widgets.end() - 1) ? 1 : 0);
  tabs->addTab(page, title);
}

}  // namespace

AttentionDetails::AttentionDetails(QWidget* parent) : QTabWidget(parent) {
  setObjectName(QStringLiteral("attentionDetails"));
  setDocumentMode(true);
  auto* gridPage = new QWidget(this);
  gridSource_ = new QComboBox(gridPage);
  gridSource_->setObjectName(QStringLiteral("gridSourceCombo"));
  gridSource_->addItem(tr("after pruning"));
  gridSource_->addItem(tr("before pruning"));
  grid_ = new AttentionGrid(gridPage);
  auto* gridHeader = new QHBoxLayout;
  gridHeader->addWidget(new QLabel(tr("Every layer × head,"), gridPage));
  gridHeader->addWidget(gridSource_);
  gridHeader->addWidget(
      new QLabel(tr("— each scaled to its own maximum; click one to show it above."), gridPage), 1);
  auto* gridHeaderRow = new QWidget(gridPage);
  gridHeaderRow->setLayout(gridHeader);
  gridHeader->setContentsMargins(0, 0, 0, 0);
  addPage(this, tr("All heads"), gridPage, {gridHeaderRow, grid_});

  auto* statsPage = new QWidget(this);
  stats_ = new HeadStatisticsModel(this);
  statsSorted_ = new QSortFilterProxyModel(this);
  statsSorted_->setSourceModel(stats_);
  statsTable_ = new QTableView(statsPage);
  statsTable_->setObjectName(QStringLiteral("headStatistics"));
  statsTable_->setModel(statsSorted_);
  statsTable_->verticalHeader()->hide();
  statsTable_->setEditTriggers(QAbstractItemView::NoEditTriggers);
  statsTable_->setSelectionBehavior(QAbstractItemView::SelectRows);
  statsTable_->setSelectionMode(QAbstractItemView::SingleSelection);
  statsTable_->setSortingEnabled(true);
  statsTable_->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
  statsNote_ = new QLabel(statsPage);
  statsNote_->setWordWrap(true);
  statsNote_->setStyleSheet(QStringLiteral("color: gray"));
  addPage(this, tr("Head statistics"), statsPage, {statsNote_, statsTable_});

  dam_ = new DamMaskPanel(this);
  addTab(dam_, tr("Learned mask (DAM)"));

  connect(gridSource_, &QComboBox::currentIndexChanged, this, &AttentionDetails::showGrid);
  connect(grid_, &AttentionGrid::cellClicked, this, &AttentionDetails::headChosen);
  connect(statsTable_, &QTableView::clicked, this, [this](const QModelIndex& index) {
    const int row = statsSorted_->mapToSource(index).row();
    Q_EMIT headChosen(stats_->layerAt(row), stats_->headAt(row));
  });
  connect(stats_, &QAbstractItemModel::modelReset, this,
          [this] { statsNote_->setText(stats_->description()); });
  clear();
}

void AttentionDetails::setFrame(const AttentionFrame& f, int layer, int head,
                                const QVector<int>& shown) {
  frame_ = f;
  shown_ = shown;
  showGrid();
  grid_->setSelected(layer, head == AttentionView::kRollout ? -1 : head);
  stats_->setFrame(f);
  dam_->setFrame(f, layer, head, shown);
}

void AttentionDetails::showGrid() {
  if (frame_.layers == 0) return;
  grid_->setMaps(gridSource_->currentIndex() == 1 ? frame_.before : frame_.after, frame_.layers,
                 frame_.heads, frame_.length, shown_);
}

void AttentionDetails::clear() {
  frame_ = AttentionFrame();
  shown_.clear();
  grid_->clear();
  stats_->clear();
  dam_->clear();
}

}  // namespace crisp::ui
