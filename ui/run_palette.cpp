#include "ui/run_palette.h"

#include <QFileInfo>
#include <QMap>
#include <algorithm>
#include <iterator>

namespace crisp::ui {
namespace {

// The seeds of one configuration share its colour and differ in line style.
const Qt::PenStyle kSeedStyles[] = {Qt::SolidLine, Qt::DashLine, Qt::DotLine, Qt::DashDotLine,
                                    Qt::DashDotDotLine};

}  // namespace

void RunPalette::setRuns(std::vector<Run> runs) {
  runs_ = std::move(runs);
  std::vector<Run> shown;
  QMap<QString, QList<qint64>> seedsOf;  // configuration -> the seeds of its runs drawn
  for (const Run& run : runs_) {
    if (!run.shown) continue;
    shown.push_back(run);
    seedsOf[run.configuration] << run.seed;
  }
  // Runs of one configuration are its seeds (one colour, a line style each) only when their
  // seeds differ; two runs of one name and seed (the demo trained twice) get colours of their own.
  seedGroups_.clear();
  for (auto it = seedsOf.cbegin(); it != seedsOf.cend(); ++it) {
    const QList<qint64>& seeds = it.value();
    if (seeds.size() > 1 && QSet<qint64>(seeds.begin(), seeds.end()).size() == seeds.size())
      seedGroups_ << it.key();
  }
  seeds_.clear();
  for (const Run& run : shown) {
    if (inSeedGroup(run.configuration) && !seeds_.contains(run.seed)) seeds_ << run.seed;
  }
  std::sort(seeds_.begin(), seeds_.end());
  const QStringList names = uniqueNames(shown);
  unique_.clear();
  for (size_t i = 0; i < shown.size(); ++i) {
    unique_.insert(shown[i].key, names[static_cast<int>(i)]);
    slot(shown[i].key);  // colours go to runs in the order they are drawn
  }
}

const RunPalette::Run* RunPalette::find(const QString& key) const {
  const auto it =
      std::find_if(runs_.begin(), runs_.end(), [&key](const Run& run) { return run.key == key; });
  return it == runs_.end() ? nullptr : &*it;
}

QString RunPalette::colourKey(const Run& run) const {
  return inSeedGroup(run.configuration) ? QStringLiteral("configuration:") + run.configuration
                                        : run.key;
}

int RunPalette::slot(const QString& key) const {
  const Run* run = find(key);
  const QString colour = run != nullptr ? colourKey(*run) : key;
  auto it = slots_.find(colour);
  if (it == slots_.end()) {
    const bool dense = run != nullptr && run->dense;
    it = slots_.insert(colour, dense ? -1 - denseCount_++ : sparseCount_++);
  }
  return it.value();
}

bool RunPalette::inSeedGroup(const QString& configuration) const {
  return seedGroups_.contains(configuration);
}

Qt::PenStyle RunPalette::seedStyle(qint64 seed) const {
  const int index = std::max(0, static_cast<int>(seeds_.indexOf(seed)));
  return kSeedStyles[index % std::size(kSeedStyles)];
}

Qt::PenStyle RunPalette::lineStyle(const QString& key) const {
  const Run* run = find(key);
  return run != nullptr && inSeedGroup(run->configuration) ? seedStyle(run->seed) : Qt::SolidLine;
}

QString RunPalette::legendName(const QString& key) const {
  const Run* run = find(key);
  if (run == nullptr) return QString();
  if (inSeedGroup(run->configuration)) return run->configuration;
  return unique_.value(key, run->name);
}

QStringList RunPalette::uniqueNames(const std::vector<Run>& runs) {
  QMap<QString, int> uses;  // name -> runs of that name
  for (const Run& run : runs) ++uses[run.name];
  QStringList names;
  for (const Run& run : runs) {
    names << (uses.value(run.name) > 1 && run.key != kLiveRunKey ? QFileInfo(run.key).fileName()
                                                                 : run.name);
  }
  return names;
}

}  // namespace crisp::ui
