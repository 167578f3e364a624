#include "ui/views/predict_view.h"

#include <QLineEdit>
#include <QVBoxLayout>

#include "ui/views/empty_state.h"

namespace crisp::ui {

PredictView::PredictView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("predictView"));
  auto* input = new QLineEdit(this);
  input->setObjectName(QStringLiteral("predictInput"));
  input->setPlaceholderText(tr("Type a sentence, e.g. \"not bad at all, but a little long\""));
  input->setClearButtonEnabled(true);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(input);
  layout->addWidget(
      new EmptyState(tr("Predictions follow your typing"),
                     tr("The label, its probability and each token shaded by its attention "
                        "from [CLS] appear here once a model is loaded or trained; with two "
                        "runs loaded, dense and crisp side by side."),
                     this),
      1);
}

}  // namespace crisp::ui
