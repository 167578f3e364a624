#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>
#include <QtTest>

#include "core/model/attention_policy.h"
#include "core/model/policy_term.h"
#include "ui/views/policy_editor.h"

using crisp::ParameterKind;
using crisp::PolicyTermDefinition;
using crisp::TermRole;
using crisp::ui::PolicyEditor;

namespace {

QString qs(const std::string& text) {
  return QString::fromStdString(text);
}

QString parameterName(const PolicyTermDefinition* term, const crisp::TermParameter& p) {
  return QStringLiteral("parameter.%1.%2").arg(qs(term->name), qs(p.name));
}

}  // namespace

// The editor is generated from core's term registry: every term and parameter appears with its
// declared range, the widgets compose the canonical text, and typed text sets the widgets.
class TestPolicyEditor : public QObject {
  Q_OBJECT
 private Q_SLOTS:
  void startsDense() {
    PolicyEditor editor;
    QCOMPARE(editor.text(), QStringLiteral("dense"));
    QVERIFY(editor.problem().isEmpty());
  }

  void offersEveryRegisteredTermWithItsDeclaredRanges() {
    PolicyEditor editor;
    const std::pair<TermRole, const char*> combos[] = {{TermRole::Selection, "selectionCombo"},
                                                       {TermRole::Pattern, "patternCombo"},
                                                       {TermRole::LearnedMask, "learnedMaskCombo"}};
    for (const PolicyTermDefinition* term : crisp::policyTermDefinitions()) {
      const QString name = qs(term->name);
      bool offered = term->role == TermRole::Dense;  // dense is "none" everywhere
      for (const auto& [role, object] : combos) {
        auto* combo = editor.findChild<QComboBox*>(QLatin1String(object));
        QVERIFY(combo != nullptr);
        if (role == term->role) offered = combo->findData(name) >= 0;
      }
      if (editor.findChild<QCheckBox*>(QStringLiteral("term.") + name) != nullptr) offered = true;
      QVERIFY2(offered, qPrintable(name));
      for (const crisp::TermParameter& p : term->parameters) {
        QWidget* widget = editor.findChild<QWidget*>(parameterName(term, p));
        QVERIFY2(widget != nullptr, qPrintable(parameterName(term, p)));
        // Boxes start inside the range and name it; they take any number (see below).
        if (auto* spin = qobject_cast<QDoubleSpinBox*>(widget)) QVERIFY(p.inRange(spin->value()));
        if (auto* spin = qobject_cast<QSpinBox*>(widget)) QVERIFY(p.inRange(spin->value()));
        if (p.kind != ParameterKind::Choice && p.kind != ParameterKind::Flag) {
          QVERIFY2(widget->toolTip().contains(qs(p.rangeText())), qPrintable(widget->toolTip()));
        }
        if (p.kind == ParameterKind::Choice) {
          QCOMPARE(qobject_cast<QComboBox*>(widget)->count(), int(p.choices.size()));
        }
      }
    }
  }

  // Choosing each term from its combo with the starting values gives text core accepts.
  void everyTermComposesAValidPolicy() {
    for (const PolicyTermDefinition* term : crisp::policyTermDefinitions()) {
      if (term->role == TermRole::Dense) continue;
      PolicyEditor editor;
      const QString name = qs(term->name);
      if (auto* check = editor.findChild<QCheckBox*>(QStringLiteral("term.") + name)) {
        check->setChecked(true);
      } else {
        for (auto* combo : editor.findChildren<QComboBox*>()) {
          if (combo->findData(name) >= 0) combo->setCurrentIndex(combo->findData(name));
        }
      }
      if (term->name == "layers") {  // a list has no starting value
        editor.findChild<QLineEdit*>(QStringLiteral("parameter.layers.S"))
            ->setText(QStringLiteral("0.5,0.6"));
      }
      QVERIFY2(editor.problem().isEmpty(), qPrintable(editor.problem()));
      QVERIFY2(editor.text().startsWith(name), qPrintable(editor.text()));
    }
  }

  // Typing a sparsity of 1.5 used to leave 0.5 without a word (the box dropped the "1"): now
  // the policy says 1.5 and the problem names the range.
  void outOfRangeTypingIsReportedNotDropped() {
    PolicyEditor editor;
    auto* selection = editor.findChild<QComboBox*>(QStringLiteral("selectionCombo"));
    selection->setCurrentIndex(selection->findData(QStringLiteral("crisp")));
    auto* sparsity = editor.findChild<QDoubleSpinBox*>(QStringLiteral("parameter.crisp.S"));
    sparsity->selectAll();
    QTest::keyClicks(sparsity, QStringLiteral("1.5"));
    QCOMPARE(sparsity->value(), 1.5);
    QCOMPARE(editor.text(), QStringLiteral("crisp:1.5"));
    QVERIFY2(editor.problem().contains(QStringLiteral("[0, 1)")), qPrintable(editor.problem()));
    auto* window = editor.findChild<QSpinBox*>(QStringLiteral("parameter.window.W"));
    window->selectAll();
    QTest::keyClicks(window, QStringLiteral("-2"));
    QCOMPARE(window->value(), -2);
  }

  void widgetsComposeTheCanonicalText() {
    PolicyEditor editor;
    QSignalSpy changed(&editor, &PolicyEditor::changed);
    auto* pattern = editor.findChild<QComboBox*>(QStringLiteral("patternCombo"));
    pattern->setCurrentIndex(pattern->findData(QStringLiteral("bigbird")));
    editor.findChild<QSpinBox*>(QStringLiteral("parameter.bigbird.W"))->setValue(2);
    editor.findChild<QSpinBox*>(QStringLiteral("parameter.bigbird.SEED"))->setValue(7);
    editor.findChild<QCheckBox*>(QStringLiteral("term.nodiag"))->setChecked(true);
    auto* selection = editor.findChild<QComboBox*>(QStringLiteral("selectionCombo"));
    selection->setCurrentIndex(selection->findData(QStringLiteral("crisp")));
    editor.findChild<QDoubleSpinBox*>(QStringLiteral("parameter.crisp.S"))->setValue(0.5);
    QCOMPARE(editor.text(), QStringLiteral("nodiag+bigbird:2:1:2:7+crisp:0.5"));
    QVERIFY(changed.count() >= 5);
    // Only the chosen terms' parameters are shown.
    QVERIFY(
        !editor.findChild<QSpinBox*>(QStringLiteral("parameter.window.W"))->isVisibleTo(&editor));
    QVERIFY(
        editor.findChild<QSpinBox*>(QStringLiteral("parameter.bigbird.W"))->isVisibleTo(&editor));
  }

  void typedTextSetsTheWidgets() {
    PolicyEditor editor;
    auto* text = editor.findChild<QLineEdit*>(QStringLiteral("policyTextEdit"));
    text->clear();
    QTest::keyClicks(text, QStringLiteral("dam:0.05:structured:tau=0.5+ramp:0.6:0.2+train-only"));
    QVERIFY(editor.problem().isEmpty());
    QCOMPARE(editor.findChild<QComboBox*>(QStringLiteral("selectionCombo"))->currentData(),
             QVariant(QStringLiteral("ramp")));
    QCOMPARE(editor.findChild<QDoubleSpinBox*>(QStringLiteral("parameter.ramp.SPREAD"))->value(),
             0.2);
    QCOMPARE(editor.findChild<QComboBox*>(QStringLiteral("parameter.dam.structure"))->currentText(),
             QStringLiteral("structured"));
    QCOMPARE(editor.findChild<QDoubleSpinBox*>(QStringLiteral("parameter.dam.tau"))->value(), 0.5);
    QVERIFY(editor.findChild<QCheckBox*>(QStringLiteral("term.train-only"))->isChecked());
    // The typed text stays as typed; a widget change then writes the canonical form.
    editor.findChild<QDoubleSpinBox*>(QStringLiteral("parameter.ramp.S"))->setValue(0.5);
    QCOMPARE(editor.text(),
             QStringLiteral("ramp:0.5:0.2+dam:0.05:structured:shared:tau=0.5+train-only"));
    // Text that does not parse leaves the widgets alone and names the problem.
    editor.setText(QStringLiteral("ramp:0.9:99"));
    QVERIFY(editor.problem().contains(QStringLiteral("99")));
    QCOMPARE(editor.findChild<QDoubleSpinBox*>(QStringLiteral("parameter.ramp.S"))->value(), 0.5);
  }
};

QTEST_MAIN(TestPolicyEditor)
#include "test_policy_editor.moc"
