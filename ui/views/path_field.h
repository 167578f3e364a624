#pragma once

#include <QString>
#include <QWidget>

class QLineEdit;

namespace crisp::ui {

// A path typed or chosen with a browse button, remembered between sessions under the edit's
// object name (StudioSettings::formPath).
class PathField : public QWidget {
  Q_OBJECT
 public:
  enum Kind { File, Directory };
  // filter: the file dialog's name filter (files only).
  PathField(const QString& name, const QString& placeholder, Kind kind, const QString& filter,
            QWidget* parent = nullptr);
  QLineEdit* edit() const { return edit_; }
  QString path() const;  // as typed, trimmed

 Q_SIGNALS:
  void changed();

 private:
  QLineEdit* edit_;
};

}  // namespace crisp::ui
