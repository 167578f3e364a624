#include "ui/views/model_choice.h"

#include <QSignalBlocker>

#include "core/io/model_location.h"

namespace crisp::ui {
namespace {

const QString kTyped = QStringLiteral("hf");
// A found pretrained checkpoint's name (empty for the presets and the typed entry).
constexpr int kPretrainedNameRole = Qt::UserRole + 1;

}  // namespace

ModelChoice::ModelChoice(QWidget* parent) : QComboBox(parent) {
  setObjectName(QStringLiteral("modelCombo"));
  addItem(tr("tiny, from scratch (demo)"), QStringLiteral("preset:tiny"));
  addItem(tr("small, from scratch"), QStringLiteral("preset:small"));
  addItem(tr("distilbert-base, from scratch"), QStringLiteral("preset:distilbert-base"));
  addItem(tr("Hugging Face directory…"), kTyped);
  setToolTip(
      tr("A preset trained from scratch, a pretrained checkpoint found in the Hugging Face cache "
         "or beside a chosen directory, or a Hugging Face checkpoint directory (config.json, "
         "vocab.txt or tokenizer.json, model.safetensors or pytorch_model.bin), a "
         "sentence-transformers package or a hub id in the cache"));
  listPretrainedModels({});
}

void ModelChoice::listPretrainedModels(const QStringList& folders) {
  std::vector<std::string> extra;
  for (const QString& f : folders) extra.push_back(f.toStdString());
  for (const QString& f : std::as_const(folders_)) extra.push_back(f.toStdString());
  for (const QString& f : folders) {
    if (!folders_.contains(f)) folders_ << f;
  }
  const QString current = currentData().toString();
  const QSignalBlocker block(this);
  // Found entries sit between the presets and the typed entry.
  for (int i = count() - 1; i >= 0; --i) {
    if (!itemData(i, kPretrainedNameRole).toString().isEmpty()) removeItem(i);
  }
  int at = findData(kTyped);
  for (const crisp::PretrainedModelInfo& info : crisp::findPretrainedModels(extra)) {
    if (!info.supported) continue;  // only BERT and DistilBERT load
    const QString name = QString::fromStdString(info.name);
    const QString directory = QString::fromStdString(info.directory);
    insertItem(at,
               tr("%1 (pretrained %2, %3 MB)")
                   .arg(name, QString::fromStdString(info.modelType))
                   .arg(static_cast<double>(info.weightsBytes) / 1e6, 0, 'f', 0),
               directory);
    setItemData(at, name, kPretrainedNameRole);
    setItemData(at, directory, Qt::ToolTipRole);
    ++at;
  }
  const int keep = findData(current);
  setCurrentIndex(keep >= 0 ? keep : 0);
}

bool ModelChoice::choose(const QString& model) {
  const int listed = findData(model);
  setCurrentIndex(listed >= 0 ? listed : findData(kTyped));
  return listed >= 0;
}

bool ModelChoice::typed() const {
  return currentData().toString() == kTyped;
}

bool ModelChoice::fineTunesCheckpoint() const {
  return !currentData().toString().startsWith(QLatin1String("preset:"));
}

QString ModelChoice::listedModel() const {
  return typed() ? QString() : currentData().toString();
}

QString ModelChoice::pretrainedName() const {
  return currentData(kPretrainedNameRole).toString();
}

}  // namespace crisp::ui
