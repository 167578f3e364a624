#include "ui/studio_types.h"

#include <QMetaEnum>

namespace crisp::ui {

QString phaseName(RunPhase phase) {
  if (phase == RunPhase::Idle) return {};
  // The enum's own names, lower-cased, are the words core writes (checked by a test).
  return QString::fromLatin1(QMetaEnum::fromType<RunPhase>().valueToKey(static_cast<int>(phase)))
      .toLower();
}

}  // namespace crisp::ui
