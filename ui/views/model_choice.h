#pragma once

#include <QComboBox>
#include <QStringList>

namespace crisp::ui {

// The experiment's model: a preset trained from scratch, a supported pretrained checkpoint found
// in the Hugging Face cache or beside a chosen folder, or a typed Hugging Face model (the last
// entry; the form holds what is typed).
class ModelChoice : public QComboBox {
  Q_OBJECT
 public:
  explicit ModelChoice(QWidget* parent = nullptr);
  // Lists the checkpoints found in the cache, in folders and in those listed before, keeping
  // the current choice where it is still listed.
  void listPretrainedModels(const QStringList& folders);
  // Chooses a listed model ("preset:NAME" or a found checkpoint's directory); false, with the
  // typed entry chosen, when it is not listed.
  bool choose(const QString& model);
  bool typed() const;
  bool fineTunesCheckpoint() const;  // not a preset from scratch
  QString listedModel() const;       // "" for the typed entry
  QString pretrainedName() const;    // a found checkpoint's owner/name, else ""

 private:
  QStringList folders_;
};

}  // namespace crisp::ui
