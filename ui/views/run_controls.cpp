#include "ui/views/run_controls.h"

#include <QAction>
#include <QHBoxLayout>
#include <QPushButton>

namespace crisp::ui {

RunControls::RunControls(QWidget* parent) : QWidget(parent) {
  const auto makeAction = [this](const QString& text, const QString& name, const char* shortcut) {
    auto* a = new QAction(text, this);
    a->setObjectName(name);
    a->setShortcut(QKeySequence(QString::fromLatin1(shortcut)));
    a->setShortcutContext(Qt::ApplicationShortcut);
    return a;
  };
  start_ = makeAction(tr("&Start"), QStringLiteral("startAction"), "Ctrl+R");
  pause_ = makeAction(tr("&Pause"), QStringLiteral("pauseAction"), "Ctrl+P");
  stop_ = makeAction(tr("S&top"), QStringLiteral("stopAction"), "Ctrl+.");
  stop_->setToolTip(tr("Stop with a final checkpoint (Ctrl+.)"));
  addActions(runActions());  // active on their own too, wherever the controls are shown

  auto* layout = new QHBoxLayout(this);
  layout->setContentsMargins(0, 0, 0, 0);
  const auto button = [this, layout](QAction* action, const QString& name) {
    auto* b = new QPushButton(this);
    b->setObjectName(name);
    connect(b, &QPushButton::clicked, action, &QAction::trigger);
    const auto mirror = [b, action] {
      b->setText(QString(action->text()).remove(QLatin1Char('&')));  // no mnemonic shortcut
      b->setEnabled(action->isEnabled());
      b->setToolTip(action->toolTip());
    };
    connect(action, &QAction::changed, b, mirror);
    mirror();
    layout->addWidget(b);
  };
  button(start_, QStringLiteral("startButton"));
  button(pause_, QStringLiteral("pauseButton"));
  button(stop_, QStringLiteral("stopButton"));
  setRunState(RunPhase::Idle);
}

void RunControls::setRunState(RunPhase phase) {
  paused_ = phase == RunPhase::Paused;
  pause_->setEnabled(phase == RunPhase::Running || paused_);
  pause_->setText(paused_ ? tr("&Resume") : tr("&Pause"));
  pause_->setToolTip(paused_ ? tr("Resume training (Ctrl+P)") : tr("Pause training (Ctrl+P)"));
  stop_->setEnabled(isActive(phase));
}

void RunControls::setStartable(bool startable, const QString& whyNot) {
  start_->setEnabled(startable);
  start_->setToolTip(startable ? tr("Start training (Ctrl+R)") : whyNot);
}

}  // namespace crisp::ui
