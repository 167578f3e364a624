#include "ui/views/curves_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QLabel>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <algorithm>
#include <limits>

#include "core/train/run_curves.h"
#include "ui/plot_style.h"
#include "ui/qcp.h"
#include "ui/studio_types.h"
#include "ui/views/curve_tracker.h"
#include "ui/views/curves_controls.h"
#include "ui/views/curves_legend.h"
#include "ui/views/curves_plots.h"
#include "ui/views/elided_label.h"
#include "ui/views/paper_references.h"
#include "ui/views/run_curves_reader.h"
#include "ui/views/run_series.h"
#include "ui/views/seed_bands.h"

namespace crisp::ui {

CurvesView::CurvesView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("curvesView"));
  plots_ = std::make_unique<CurvesPlots>(this, [this] { resetView(); });
  lossPlot_ = plots_->loss();
  accuracyPlot_ = plots_->accuracy();
  legend_ = std::make_unique<CurvesLegend>(lossPlot_, accuracyPlot_);
  tracker_ = std::make_unique<CurveTracker>(
      QList<QCustomPlot*>{lossPlot_, accuracyPlot_},
      [this](const QCustomPlot* plot, double key, double value) {
        const QString x = options_.xText(key);
        const QString y = plot == accuracyPlot_ ? tr("%1 %").arg(value, 0, 'f', 2)
                                                : QString::number(value, 'f', 4);
        return QStringLiteral("%1:  %2").arg(x, y);
      });

  references_ = std::make_unique<PaperReferences>(accuracyPlot_);
  for (QCPGraph* g : references_->graphs()) tracker_->ignore(g);
  series_.push_back(std::make_unique<RunSeries>(lossPlot_, accuracyPlot_));
  live().identify(kLiveRunKey, tr("this run"), QString(), -1);

  restyle();  // the crosshairs' and the reference lines' colours

  auto* layout = new QVBoxLayout(this);
  controls_ = std::make_unique<CurvesControls>(this, layout);
  layout->addWidget(lossPlot_, 1);
  layout->addWidget(accuracyPlot_, 1);
  connect(controls_->xAxis, qOverload<int>(&QComboBox::activated), this,
          [this](int index) { setXAxis(static_cast<XAxis>(index)); });
  connect(controls_->smoothingKind, qOverload<int>(&QComboBox::activated), this, [this](int index) {
    setSmoothingKind(index == 0 ? Smoothing::Ema : Smoothing::MovingAverage);
  });
  connect(controls_->smoothing, &QSlider::valueChanged, this, &CurvesView::setSmoothing);
  connect(controls_->references, &QCheckBox::toggled, this, [this](bool on) {
    references_->setShown(on);
    refresh();
  });
  connect(controls_->seedBands, qOverload<int>(&QComboBox::activated), this, [this](int index) {
    setSeedBands(controls_->seedBands->itemData(index).value<SeedBandKind>());
  });
  connect(controls_->reset, &QPushButton::clicked, this, &CurvesView::resetView);
  bands_ = std::make_unique<CurvesSeedBands>(lossPlot_, accuracyPlot_);
  overlayReader_ = std::make_unique<RunCurvesReader>(
      this, [this](RunCurvesReader::Result overlays) { showOverlays(std::move(overlays)); });

  options_ = CurveOptions::saved(&bandKind_);
  controls_->seedBands->setCurrentIndex(
      controls_->seedBands->findData(QVariant::fromValue(bandKind_)));
  setSmoothingKind(options_.smoothing);
  setXAxis(options_.xAxis);
}

CurvesView::~CurvesView() = default;

RunSeries& CurvesView::live() {
  return *series_.front();
}

QColor CurvesView::runColor(const QString& runKey) const {
  return slotColour(palette_.slot(runKey), inks());
}

QString CurvesView::crosshairText() const {
  return tracker_->text();
}

bool CurvesView::trackAt(QCustomPlot* plot, const QPointF& pos) {
  return tracker_->trackAt(plot, pos);
}

PlotColours CurvesView::inks() const {
  return PlotColours::fromPalette(palette());
}

void CurvesView::changeEvent(QEvent* event) {
  if (event->type() == QEvent::PaletteChange) {  // the theme changed: greys follow its text
    restyle();
    refresh();
  }
  QWidget::changeEvent(event);
}

void CurvesView::restyle() {
  const PlotColours colours = inks();
  references_->setColours(colours);
  tracker_->setColours(colours);
  std::vector<RunPalette::Run> runs;
  std::vector<const RunSeries*> shown;
  for (const auto& s : series_) {
    runs.push_back(s->paletteRun());
    if (s->shown()) shown.push_back(s.get());
  }
  palette_.setRuns(std::move(runs));
  const int drawn = static_cast<int>(shown.size());
  const bool grouped = palette_.grouped();
  const QString smoothName = options_.smoothingName();

  for (const auto& s : series_) {
    // Colours are handed out to runs when they are first drawn, never to an empty live run.
    s->style(s->shown() ? runColor(s->key) : QColor(Qt::gray), palette_.lineStyle(s->key),
             colours.background, drawn, grouped, smoothName);
  }

  // Several runs: the legend names runs (or configurations and seeds) once, through data-less
  // key graphs, and the kinds of curve once; it sits beside the axes, off the data.
  legend_->clearKeys();
  if (drawn > 1) {
    QList<CurvesLegend::RunKey> keys;
    for (const RunSeries* s : shown) {
      keys.push_back(
          {palette_.legendName(s->key), runColor(s->key), s->devAccuracyGraph()->scatterStyle()});
    }
    legend_->addRunKeys(keys, palette_, bandKind_, colours, smoothName);
  }
  // The paper's reference lines stay last.
  legend_->place(drawn > 1, references_->graphs());
}

void CurvesView::rebuildAll() {
  restyle();
  for (auto& s : series_) s->rebuild(options_);
  refresh();
}

int CurvesView::stepCount() const {
  return static_cast<int>(series_.front()->train.size());
}

int CurvesView::evalCount() const {
  return static_cast<int>(series_.front()->dev.size());
}

int CurvesView::runCount() const {
  return static_cast<int>(
      std::count_if(series_.begin(), series_.end(), [](const auto& s) { return s->shown(); }));
}

QStringList CurvesView::runNames() const {
  QStringList names;
  for (const auto& s : series_) {
    if (s->shown()) names << s->name;
  }
  return names;
}

int CurvesView::smoothingValue() const {
  return options_.smoothingValue();
}

void CurvesView::clear() {
  RunSeries& s = live();
  s.train.clear();
  s.dev.clear();
  tracker_->hide();
  plots_->resetView();
  rebuildAll();
  updateSummary();
}

void CurvesView::setLiveRunState(const QString& state) {
  liveState_ = state;
  updateSummary();
}

void CurvesView::setLiveRun(const QString& name, const QString& policy, const QString& path,
                            qint64 seed) {
  RunSeries& s = live();
  liveState_.clear();
  s.identify(path.isEmpty() ? kLiveRunKey : path, name, policy, seed);
  // An overlay of the same directory would draw the run twice.
  for (size_t i = 1; i < series_.size(); ++i) {
    if (series_[i]->key == s.key) {
      series_.erase(series_.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  tracker_->hide();
  rebuildAll();
  updateSummary();
}

void CurvesView::addStep(const StepPoint& point) {
  RunSeries& s = live();
  const bool first = !s.shown();
  s.add(s.train, {point.step, point.epoch, point.seconds, point.loss, -1});
  if (first) {
    rebuildAll();  // legend names depend on how many runs have points
    updateSummary();
  } else {
    s.rebuildTrain(options_);
    refresh();
  }
}

void CurvesView::addEval(const EvalPoint& point) {
  RunSeries& s = live();
  s.add(s.dev, {point.step, point.epoch, point.seconds, point.loss, point.accuracy});
  restyle();
  s.rebuild(options_);
  updateSummary();
  refresh();
}

bool CurvesView::loadRun(const QString& path) {
  RunCurves curves;
  try {
    curves = readRunCurves(path.toStdString());
  } catch (const std::exception& e) {
    Q_EMIT message(tr("Cannot show %1: %2").arg(path, QString::fromStdString(e.what())), true);
    return false;
  }
  setLiveRun(QString::fromStdString(curves.name), QString::fromStdString(curves.policy), path,
             static_cast<qint64>(curves.seed));
  RunSeries& s = live();
  s.train = std::move(curves.train);
  s.dev = std::move(curves.dev);
  tracker_->hide();
  plots_->resetView();
  rebuildAll();
  updateSummary();
  return true;
}

void CurvesView::setOverlayRuns(const QStringList& paths) {
  overlayReader_->read(paths);
}

void CurvesView::showOverlays(RunCurvesReader::Result overlays) {
  tracker_->hide();
  series_.resize(1);
  for (auto& [path, curves] : overlays.runs) {
    if (path == live().key) continue;
    auto& s = series_.emplace_back(std::make_unique<RunSeries>(lossPlot_, accuracyPlot_));
    s->identify(path, QString::fromStdString(curves.name), QString::fromStdString(curves.policy),
                static_cast<qint64>(curves.seed));
    s->train = std::move(curves.train);
    s->dev = std::move(curves.dev);
  }
  // Seeds of one configuration share its name: the legend tells them apart by run directory.
  std::vector<RunPalette::Run> runs;
  for (size_t i = 1; i < series_.size(); ++i) runs.push_back(series_[i]->paletteRun());
  const QStringList names = RunPalette::uniqueNames(runs);
  for (size_t i = 1; i < series_.size(); ++i) series_[i]->name = names[static_cast<int>(i - 1)];
  if (!overlays.unreadable.isEmpty()) {
    Q_EMIT message(
        tr("Not shown (no readable config.json): %1").arg(overlays.unreadable.join(", ")), false);
  }
  plots_->resetView();
  rebuildAll();
  updateSummary();
}

void CurvesView::setSmoothing(int value) {
  options_.setSmoothingValue(value);
  controls_->showSmoothingValue(value, options_.smoothing == Smoothing::Ema
                                           ? QString::number(options_.emaPercent / 100.0, 'f', 2)
                                           : tr("%1 pts").arg(options_.window));
  options_.save(bandKind_);
  restyle();
  for (auto& s : series_) s->rebuildTrain(options_);
  refresh();
}

void CurvesView::setSmoothingKind(Smoothing kind) {
  options_.smoothing = kind;
  controls_->showSmoothingKind(kind == Smoothing::Ema, smoothingValue());
  options_.save(bandKind_);
  setSmoothing(controls_->smoothing->value());
}

void CurvesView::setXAxis(XAxis axis) {
  options_.xAxis = axis;
  options_.save(bandKind_);
  controls_->xAxis->setCurrentIndex(static_cast<int>(axis));
  plots_->setXLabel(options_.xLabel());
  tracker_->hide();
  plots_->resetView();  // the old range means nothing on the new axis
  for (auto& s : series_) s->rebuild(options_);
  refresh();
}

void CurvesView::setSeedBands(SeedBandKind kind) {
  bandKind_ = kind;
  options_.save(bandKind_);
  controls_->seedBands->setCurrentIndex(controls_->seedBands->findData(QVariant::fromValue(kind)));
  tracker_->hide();
  rebuildAll();
}

int CurvesView::bandCount() const {
  return bands_->count();
}

QCustomPlot* CurvesView::seedComparisonPlot() {
  const QList<SeedGroup> groups =
      CurvesSeedBands::groups(series_, palette_, inks(), RunCurve::DevAccuracy);
  if (groups.isEmpty()) return nullptr;
  if (!seedFigure_) seedFigure_ = std::make_unique<SeedComparisonFigure>(this);
  seedFigure_->set(groups, bandKind_, lossPlot_->xAxis->label());
  return seedFigure_->plot();
}

QString CurvesView::livePolicy() const {
  return series_.front()->policy;
}

void CurvesView::resetView() {
  plots_->resetView();
  refresh();
}

void CurvesView::updateSummary() {
  const RunSeries& s = live();
  QString text = s.summary(liveState_);
  const int others = static_cast<int>(series_.size()) - 1;
  if (others > 0) {
    const QString runs = runCountText(others);
    text = s.shown() ? text + tr("   ·   compared with %1 selected in the Runs tab").arg(runs)
                     : tr("Comparing %1 selected in the Runs tab").arg(runs);
  }
  controls_->summary->setText(text);
}

void CurvesView::refresh() {
  bands_->update(series_, palette_, inks(), bandKind_);
  double low = std::numeric_limits<double>::max(), high = std::numeric_limits<double>::lowest();
  double lowAccuracy = 100, highAccuracy = 0;
  for (const auto& s : series_) {
    if (QCPRange range; s->keyRange(&range)) {
      low = std::min(low, range.lower);
      high = std::max(high, range.upper);
    }
    for (const CurvePoint& p : s->dev) {
      lowAccuracy = std::min(lowAccuracy, 100.0 * p.accuracy);
      highAccuracy = std::max(highAccuracy, 100.0 * p.accuracy);
    }
  }
  if (low > high) {
    low = 0;
    high = 1;
  }
  references_->span(low, high);
  references_->include(&lowAccuracy, &highAccuracy);
  plots_->frame(low, high, lowAccuracy, highAccuracy);
}

}  // namespace crisp::ui
