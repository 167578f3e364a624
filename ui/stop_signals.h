#pragma once

#include <QObject>

class QSocketNotifier;

namespace crisp::ui {

// Turns SIGTERM, SIGHUP and SIGINT (a logout, a closed terminal, Ctrl-C, `kill`) into the
// `received` signal on the GUI thread, so the studio closes as if its window were closed: a
// running training writes its checkpoint and records "stopped" instead of being cut off.
// A second such signal while the first is handled ends the process at once, as usual.
// Uses the self-pipe technique: the handler only writes one byte (async-signal-safe).
class StopSignals : public QObject {
  Q_OBJECT
 public:
  explicit StopSignals(QObject* parent = nullptr);
  ~StopSignals() override;

 Q_SIGNALS:
  void received(int signalNumber);

 private:
  void readSignal();

  QSocketNotifier* notifier_ = nullptr;
};

}  // namespace crisp::ui
