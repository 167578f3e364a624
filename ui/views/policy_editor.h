#pragma once

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;

namespace crisp {
struct PolicyTermDefinition;
struct TermParameter;
}  // namespace crisp

namespace crisp::ui {

// The attention policy editor, generated from core's term registry (core/model/policy_term.h):
// a combo per exclusive role (selection, pattern, learned mask), a check box per term without
// parameters (nodiag, train-only), and each chosen term's declared parameters as spin boxes,
// lists, choices and flags with their declared ranges. The policy text below is two-way: the
// widgets compose it, and a valid text typed there sets the widgets. A new term in core appears
// here with no change to this file.
class PolicyEditor : public QWidget {
  Q_OBJECT
 public:
  explicit PolicyEditor(QWidget* parent = nullptr);

  QString text() const;               // as composed or typed
  void setText(const QString& text);  // sets the widgets too when it parses
  QString problem() const;            // why text() does not parse; empty when it does

 Q_SIGNALS:
  void changed();

 private:
  struct TermWidgets {
    const crisp::PolicyTermDefinition* definition = nullptr;
    QWidget* box = nullptr;      // the parameter form, shown while the term is chosen
    QList<QWidget*> parameters;  // one per declared parameter
  };
  void addRoleCombo(QFormLayout* form, int role, const QString& label, const QString& name);
  void addTermParameters(QFormLayout* form, const crisp::PolicyTermDefinition* term);
  QWidget* parameterWidget(const crisp::PolicyTermDefinition* term,
                           const crisp::TermParameter& parameter, QWidget* parent);
  QString termText(const TermWidgets& term) const;
  void compose();                       // widgets -> text
  void applyText(const QString& text);  // text -> widgets, when it parses
  void updateVisibility();

  QList<QComboBox*> roleCombos_;
  QList<QCheckBox*> termChecks_;
  QHash<QString, TermWidgets> terms_;  // by term name
  QLineEdit* text_ = nullptr;
  QLabel* summary_ = nullptr;
  bool syncing_ = false;
};

}  // namespace crisp::ui
