#include "ui/stop_signals.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <QSocketNotifier>
#include <csignal>

namespace crisp::ui {
namespace {

int gPipe[2] = {-1, -1};  // [0] read by the GUI thread, [1] written by the handler

extern "C" void onStopSignal(int signalNumber) {
  const unsigned char byte = static_cast<unsigned char>(signalNumber);
  [[maybe_unused]] const ssize_t written = ::write(gPipe[1], &byte, 1);
  // The next one ends the process: a studio that cannot stop must not ignore its user.
  std::signal(signalNumber, SIG_DFL);
}

constexpr int kSignals[] = {SIGTERM, SIGHUP, SIGINT};

}  // namespace

StopSignals::StopSignals(QObject* parent) : QObject(parent) {
  if (gPipe[0] >= 0 || ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, gPipe) != 0) return;
  ::fcntl(gPipe[1], F_SETFL, O_NONBLOCK);
  notifier_ = new QSocketNotifier(gPipe[0], QSocketNotifier::Read, this);
  connect(notifier_, &QSocketNotifier::activated, this, &StopSignals::readSignal);
  struct sigaction action {};
  action.sa_handler = onStopSignal;
  sigemptyset(&action.sa_mask);
  action.sa_flags = SA_RESTART;
  for (int signalNumber : kSignals) sigaction(signalNumber, &action, nullptr);
}

StopSignals::~StopSignals() {
  if (notifier_ == nullptr) return;
  for (int signalNumber : kSignals) std::signal(signalNumber, SIG_DFL);
  ::close(gPipe[0]);
  ::close(gPipe[1]);
  gPipe[0] = gPipe[1] = -1;
}

void StopSignals::readSignal() {
  unsigned char byte = 0;
  if (::read(gPipe[0], &byte, 1) == 1) Q_EMIT received(byte);
}

}  // namespace crisp::ui
