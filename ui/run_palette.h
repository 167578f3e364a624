#pragma once

#include <QHash>
#include <QList>
#include <QSet>
#include <QString>
#include <QStringList>
#include <vector>

namespace crisp::ui {

// The key of the live run before it has a run directory.
inline const QString kLiveRunKey = QStringLiteral("live");

// How each run compared in the Curves tab is told apart, without any plot: its colour slot
// (dense baselines greys, sparse runs palette colours, seeds of one configuration sharing one),
// its line style (a configuration's seeds differ in it) and its legend name.
class RunPalette {
 public:
  struct Run {
    QString key;            // its run directory, or kLiveRunKey
    QString name;           // as drawn: its directory's when a namesake is drawn too
    QString configuration;  // the configuration's name, which its seeds share
    qint64 seed = -1;       // -1: unknown
    bool dense = false;
    bool shown = true;  // has points: only runs drawn count for seeds and namesakes
  };

  // The runs now, in drawing order. Drawn runs without a colour slot get one, in that order.
  void setRuns(std::vector<Run> runs);

  // A run's colour slot: >= 0 the palette's colours in order, < 0 the dense greys (-1 first).
  // Slots are handed out in order of first appearance and kept for as long as the palette
  // lives: a run keeps its colour when the selection changes. A seed group shares one slot.
  int slot(const QString& key) const;
  // Some configuration is drawn as seeds: they share its colour and differ in line style.
  bool grouped() const { return !seedGroups_.isEmpty(); }
  bool inSeedGroup(const QString& configuration) const;
  // The seeds of the grouped runs, ascending: the first is drawn solid in every configuration.
  const QList<qint64>& groupedSeeds() const { return seeds_; }
  Qt::PenStyle seedStyle(qint64 seed) const;
  // A run's line style: its seed's in a seed group, else solid.
  Qt::PenStyle lineStyle(const QString& key) const;
  // A run's legend entry: the configuration of a seed group, else the run's unique name.
  QString legendName(const QString& key) const;

  // The runs' names, each replaced by its directory's name when another of `runs` has it (the
  // live run without a directory keeps its own).
  static QStringList uniqueNames(const std::vector<Run>& runs);

 private:
  const Run* find(const QString& key) const;
  // Seeds of a group share one slot; other runs have their own.
  QString colourKey(const Run& run) const;

  std::vector<Run> runs_;
  QSet<QString> seedGroups_;           // configurations drawn with several (distinct) seeds
  QList<qint64> seeds_;                // see groupedSeeds()
  QHash<QString, QString> unique_;     // drawn run's key -> its unique name
  mutable QHash<QString, int> slots_;  // colour key -> slot
  mutable int denseCount_ = 0, sparseCount_ = 0;
};

}  // namespace crisp::ui
