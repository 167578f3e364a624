#include "ui/about_dialog.h"

#include "ui/qcp.h"

#include <QApplication>
#include <QClipboard>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPushButton>
#include <QTextDocument>
#include <QVBoxLayout>

#include "core/sys/runtime_info.h"

namespace crisp::ui {
namespace {

QString row(const QString& key, const QString& value) {
  return QStringLiteral("<tr><td><b>%1</b></td><td>%2</td></tr>").arg(key, value.toHtmlEscaped());
}

QString q(const std::string& s) {
  return QString::fromStdString(s);
}

}  // namespace

AboutDialog::AboutDialog(QWidget* parent) : QDialog(parent) {
  setObjectName(QStringLiteral("aboutDialog"));
  setWindowTitle(tr("About Crisp Studio"));
  const RuntimeInfo info = collectRuntimeInfo();

  QString blas = q(describe(info.blas.kind)) + QStringLiteral(" — ") + q(info.blas.library);
  if (!info.blas.detail.empty()) blas += QStringLiteral("\n") + q(info.blas.detail);
  report_ =
      QStringLiteral("<h2>Crisp Studio %1</h2>").arg(q(info.crispVersion)) +
      tr("<p>Fine-tune BERT-family classifiers with crisp (top-k) and SparseBERT "
         "attention, and see what sparsity does.</p>") +
      QStringLiteral("<table cellspacing=4>") +
      row(tr("Build"), q(info.gitRevision + ", " + info.buildType + ", " + info.compiler)) +
      row(tr("LibTorch"), q(info.torchVersion) + tr(" (CPU)")) + row(tr("BLAS"), blas) +
      row(tr("Threads"), tr("%1 intra-op of %2 cores").arg(info.threads).arg(info.machineCores)) +
      row(tr("SentencePiece"),
          q(info.sentencePieceVersion) +
              (info.sentencePieceLoaded ? tr(" (isolated)") : tr(" (unavailable)"))) +
      row(tr("Qt"), QString::fromLatin1(qVersion())) +
      row(tr("QCustomPlot"), QStringLiteral(QCUSTOMPLOT_VERSION_STR)) + QStringLiteral("</table>");
  for (const std::string& warning : info.warnings) {
    report_ += QStringLiteral("<p style='color:#b45309'>⚠ %1</p>").arg(q(warning).toHtmlEscaped());
  }

  auto* label = new QLabel(report_, this);
  label->setObjectName(QStringLiteral("aboutReport"));
  label->setTextInteractionFlags(Qt::TextSelectableByMouse);
  label->setWordWrap(true);
  auto* buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
  QPushButton* copy = buttons->addButton(tr("Copy"), QDialogButtonBox::ActionRole);
  connect(copy, &QPushButton::clicked, this, [this] {
    QTextDocument doc;
    doc.setHtml(report_);
    QApplication::clipboard()->setText(doc.toPlainText());
  });
  connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
  auto* layout = new QVBoxLayout(this);
  layout->addWidget(label);
  layout->addWidget(buttons);
}

}  // namespace crisp::ui
