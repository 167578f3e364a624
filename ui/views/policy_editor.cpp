#include "ui/views/policy_editor.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QLineEdit>
#include <QSpinBox>

#include <algorithm>

#include "core/model/attention_policy.h"
#include "core/sys/error.h"
#include "ui/experiment_form.h"

namespace crisp::ui {
namespace {

// Spin boxes offer the declared range (no narrower, so typed text is never clamped); an open
// bound is one display step inside.
constexpr int kDecimals = 5;          // small rates and penalties (1e-4)
constexpr int kFractionDecimals = 3;  // sparsities and masses in [0, 1]
constexpr int kAnyWholeNumber = 1'000'000'000;
constexpr double kAnyNumber = 1e9;

bool isWholeNumber(const TermParameter& p) {
  return p.kind == ParameterKind::Count || p.whole;
}

QString formatValue(const TermParameter& p, double value) {
  return isWholeNumber(p) ? QString::number(static_cast<long long>(value))
                          : QString::number(value, 'g', 6);
}

QString capitalised(const std::string& text) {
  QString label = QString::fromStdString(text);
  if (!label.isEmpty()) label[0] = label[0].toUpper();
  return label;
}

}  // namespace

PolicyEditor::PolicyEditor(QWidget* parent) : QWidget(parent) {
  auto* form = new QFormLayout(this);
  form->setContentsMargins(0, 0, 0, 0);
  addRoleCombo(form, static_cast<int>(TermRole::Selection), tr("Selection"),
               QStringLiteral("selectionCombo"));
  addRoleCombo(form, static_cast<int>(TermRole::Pattern), tr("Pattern"),
               QStringLiteral("patternCombo"));
  addRoleCombo(form, static_cast<int>(TermRole::LearnedMask), tr("Learned mask"),
               QStringLiteral("learnedMaskCombo"));
  for (const PolicyTermDefinition* term : crisp::policyTermDefinitions()) {
    if (term->role != TermRole::Diagonal && term->role != TermRole::Phase) continue;
    auto* check = new QCheckBox(QString::fromStdString(term->title), this);
    check->setObjectName(QStringLiteral("term.") + QString::fromStdString(term->name));
    check->setProperty("term", QString::fromStdString(term->name));
    check->setToolTip(QString::fromStdString(term->summary));
    form->addRow(QString(), check);
    termChecks_ << check;
    connect(check, &QCheckBox::toggled, this, &PolicyEditor::compose);
    addTermParameters(form, term);
  }
  text_ = new QLineEdit(this);
  text_->setObjectName(QStringLiteral("policyTextEdit"));
  text_->setPlaceholderText(QStringLiteral("e.g. nodiag+bigbird:3:1:2:7+crisp:0.5"));
  text_->setToolTip(
      tr("The policy as the command line takes it (crisp policies lists every "
         "term); typing here sets the fields above"));
  form->addRow(tr("Policy text"), text_);
  summary_ = new QLabel(this);
  summary_->setObjectName(QStringLiteral("policySummary"));
  summary_->setWordWrap(true);
  summary_->setEnabled(false);  // the palette's muted text
  form->addRow(summary_);
  connect(text_, &QLineEdit::textEdited, this, [this](const QString& typed) {
    applyText(typed);
    Q_EMIT changed();
  });
  compose();
}

void PolicyEditor::addRoleCombo(QFormLayout* form, int role, const QString& label,
                                const QString& name) {
  auto* combo = new QComboBox(this);
  combo->setObjectName(name);
  combo->addItem(tr("none"), QString());
  form->addRow(label, combo);
  for (const PolicyTermDefinition* term : crisp::policyTermDefinitions()) {
    if (static_cast<int>(term->role) != role) continue;
    combo->addItem(QString::fromStdString(term->title), QString::fromStdString(term->name));
    combo->setItemData(combo->count() - 1, QString::fromStdString(term->summary), Qt::ToolTipRole);
    addTermParameters(form, term);
  }
  roleCombos_ << combo;
  connect(combo, &QComboBox::currentIndexChanged, this, &PolicyEditor::compose);
}

void PolicyEditor::addTermParameters(QFormLayout* form, const PolicyTermDefinition* term) {
  TermWidgets widgets;
  widgets.definition = term;
  if (!term->parameters.empty()) {
    widgets.box = new QWidget(this);
    auto* parameters = new QFormLayout(widgets.box);
    parameters->setContentsMargins(16, 0, 0, 0);
    for (const TermParameter& p : term->parameters) {
      QWidget* widget = parameterWidget(term, p, widgets.box);
      // "Half-width W"; a symbol that only repeats the label ("Seed SEED") is left out.
      const QString label = capitalised(p.label);
      const QString symbol = QString::fromStdString(p.name);
      parameters->addRow(p.kind == ParameterKind::Flag ? QString()
                         : label.toUpper() == symbol   ? label
                                                       : label + QLatin1Char(' ') + symbol,
                         widget);
      widgets.parameters << widget;
    }
    form->addRow(widgets.box);
    widgets.box->hide();
  }
  terms_.insert(QString::fromStdString(term->name), widgets);
}

QWidget* PolicyEditor::parameterWidget(const PolicyTermDefinition* term, const TermParameter& p,
                                       QWidget* parent) {
  QWidget* widget = nullptr;
  const auto notify = [this] { compose(); };
  switch (p.kind) {
    case ParameterKind::RealList: {
      auto* edit = new QLineEdit(parent);
      edit->setPlaceholderText(tr("e.g. 0.5,0.6,0.7 (%1)").arg(QString::fromStdString(p.help)));
      connect(edit, &QLineEdit::textChanged, this, notify);
      widget = edit;
      break;
    }
    case ParameterKind::Choice: {
      auto* combo = new QComboBox(parent);
      for (const std::string& choice : p.choices) combo->addItem(QString::fromStdString(choice));
      connect(combo, &QComboBox::currentIndexChanged, this, notify);
      widget = combo;
      break;
    }
    case ParameterKind::Flag: {
      auto* check = new QCheckBox(QString::fromStdString(p.label), parent);
      connect(check, &QCheckBox::toggled, this, notify);
      widget = check;
      break;
    }
    case ParameterKind::Real:
    case ParameterKind::Count:
    case ParameterKind::Keyed: {
      // The boxes take any number, not just the declared range: a spin box would drop the
      // keystrokes of "1.5" for a sparsity (leaving "0.5" without a word); out of range, the
      // policy text says it and problem() names the range, as for typed policy text.
      if (isWholeNumber(p)) {
        auto* spin = new QSpinBox(parent);
        spin->setRange(-kAnyWholeNumber, kAnyWholeNumber);
        spin->setValue(static_cast<int>(p.defaultValue));
        connect(spin, &QSpinBox::valueChanged, this, notify);
        widget = spin;
      } else {
        auto* spin = new QDoubleSpinBox(parent);
        spin->setDecimals(p.maximum <= 1.0 ? kFractionDecimals : kDecimals);
        spin->setRange(-kAnyNumber, kAnyNumber);
        spin->setSingleStep(p.maximum <= 1.0 ? 0.05 : 0.1);
        spin->setValue(p.defaultValue);
        connect(spin, &QDoubleSpinBox::valueChanged, this, notify);
        widget = spin;
      }
      break;
    }
  }
  widget->setObjectName(
      QStringLiteral("parameter.%1.%2")
          .arg(QString::fromStdString(term->name), QString::fromStdString(p.name)));
  QString tip = capitalised(p.label);
  if (!p.help.empty()) tip += QStringLiteral(": ") + QString::fromStdString(p.help);
  if (p.kind != ParameterKind::Choice && p.kind != ParameterKind::Flag) {
    tip += QStringLiteral(" (%1)").arg(QString::fromStdString(p.rangeText()));
  }
  widget->setToolTip(tip);
  return widget;
}

QString PolicyEditor::termText(const TermWidgets& term) const {
  QString text = QString::fromStdString(term.definition->name);
  for (int i = 0; i < term.parameters.size(); ++i) {
    const TermParameter& p = term.definition->parameters[static_cast<size_t>(i)];
    QWidget* widget = term.parameters[i];
    double value = 0;
    if (auto* spin = qobject_cast<QSpinBox*>(widget)) value = spin->value();
    if (auto* spin = qobject_cast<QDoubleSpinBox*>(widget)) value = spin->value();
    switch (p.kind) {
      case ParameterKind::Real:
      case ParameterKind::Count: text += QLatin1Char(':') + formatValue(p, value); break;
      case ParameterKind::RealList:
        text += QLatin1Char(':') + qobject_cast<QLineEdit*>(widget)->text().trimmed();
        break;
      case ParameterKind::Choice:
        text += QLatin1Char(':') + qobject_cast<QComboBox*>(widget)->currentText();
        break;
      case ParameterKind::Flag:
        if (qobject_cast<QCheckBox*>(widget)->isChecked()) {
          text += QLatin1Char(':') + QString::fromStdString(p.name);
        }
        break;
      case ParameterKind::Keyed:
        if (value != p.defaultValue) {
          text += QLatin1Char(':') + QString::fromStdString(p.name) + QLatin1Char('=') +
                  formatValue(p, value);
        }
        break;
    }
  }
  return text;
}

void PolicyEditor::compose() {
  if (syncing_) return;
  QStringList parts;
  for (QCheckBox* check : termChecks_) {
    if (check->isChecked()) parts << termText(terms_.value(check->property("term").toString()));
  }
  for (QComboBox* combo : roleCombos_) {
    const QString name = combo->currentData().toString();
    if (!name.isEmpty()) parts << termText(terms_.value(name));
  }
  QString text = parts.isEmpty() ? QStringLiteral("dense") : parts.join(QLatin1Char('+'));
  try {  // the canonical form, as runs record it
    text = QString::fromStdString(crisp::AttentionPolicySpec::parse(text.toStdString()).toString());
  } catch (const crisp::Error&) {
    // Left as composed: problem() names what is wrong (e.g. an empty per-layer list).
  }
  text_->setText(text);
  updateVisibility();
  Q_EMIT changed();
}

void PolicyEditor::applyText(const QString& text) {
  crisp::AttentionPolicySpec spec;
  try {
    spec = crisp::AttentionPolicySpec::parse(text.trimmed().toStdString());
  } catch (const crisp::Error&) {
    return;  // the widgets keep their state; problem() explains
  }
  syncing_ = true;
  for (QComboBox* combo : roleCombos_) combo->setCurrentIndex(0);
  for (QCheckBox* check : termChecks_) check->setChecked(false);
  for (const crisp::PolicyTerm& term : spec.terms) {
    const QString name = QString::fromStdString(term.definition->name);
    for (QComboBox* combo : roleCombos_) {
      const int index = combo->findData(name);
      if (index >= 0) combo->setCurrentIndex(index);
    }
    for (QCheckBox* check : termChecks_) {
      if (check->property("term").toString() == name) check->setChecked(true);
    }
    const TermWidgets widgets = terms_.value(name);
    for (int i = 0; i < widgets.parameters.size(); ++i) {
      const double value = term.values[static_cast<size_t>(i)];
      QWidget* widget = widgets.parameters[i];
      if (auto* spin = qobject_cast<QSpinBox*>(widget)) spin->setValue(static_cast<int>(value));
      if (auto* spin = qobject_cast<QDoubleSpinBox*>(widget)) spin->setValue(value);
      if (auto* combo = qobject_cast<QComboBox*>(widget)) {
        combo->setCurrentIndex(static_cast<int>(value));
      }
      if (auto* check = qobject_cast<QCheckBox*>(widget)) check->setChecked(value != 0.0);
      if (auto* edit = qobject_cast<QLineEdit*>(widget)) {
        QStringList list;
        for (double s : term.list) list << QString::number(s, 'g', 6);
        edit->setText(list.join(QLatin1Char(',')));
      }
    }
  }
  syncing_ = false;
  updateVisibility();
}

void PolicyEditor::updateVisibility() {
  QStringList chosen;
  QStringList summaries;
  for (QCheckBox* check : termChecks_) {
    if (check->isChecked()) chosen << check->property("term").toString();
  }
  for (QComboBox* combo : roleCombos_) {
    if (!combo->currentData().toString().isEmpty()) chosen << combo->currentData().toString();
  }
  for (auto it = terms_.cbegin(); it != terms_.cend(); ++it) {
    if (it->box != nullptr) it->box->setVisible(chosen.contains(it.key()));
  }
  for (const QString& name : chosen) {
    summaries << capitalised(terms_.value(name).definition->summary);
  }
  summary_->setText(summaries.isEmpty() ? tr("Dense attention: every real key.")
                                        : summaries.join(QStringLiteral(". ")) + QLatin1Char('.'));
}

QString PolicyEditor::text() const {
  return text_->text().trimmed();
}

void PolicyEditor::setText(const QString& text) {
  text_->setText(text);
  applyText(text);
  Q_EMIT changed();
}

QString PolicyEditor::problem() const {
  return policyProblem(text());
}

}  // namespace crisp::ui
