#include "ui/views/runs_view.h"

#include <QHeaderView>
#include <QStandardItemModel>
#include <QTableView>
#include <QVBoxLayout>

namespace crisp::ui {

RunsView::RunsView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("runsView"));
  model_ = new QStandardItemModel(0, 0, this);
  model_->setHorizontalHeaderLabels({tr("Configuration"), tr("Attention"), tr("Sparsity"),
                                     tr("Seed"), tr("Best dev acc. (%)"), tr("Dev loss"),
                                     tr("Epoch"), tr("Wall time"), tr("State")});
  table_ = new QTableView(this);
  table_->setObjectName(QStringLiteral("runsTable"));
  table_->setModel(model_);
  table_->setSortingEnabled(true);
  table_->setSelectionBehavior(QAbstractItemView::SelectRows);
  table_->setAlternatingRowColors(true);
  table_->horizontalHeader()->setStretchLastSection(true);
  table_->verticalHeader()->hide();
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(table_);
}

}  // namespace crisp::ui
