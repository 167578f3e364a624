#include "ui/views/curves_view.h"

#include <QCheckBox>
#include <QComboBox>
#include <QEvent>
#include <QFutureWatcher>
#include <QHBoxLayout>
#include <QLabel>
#include <QMap>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>
#include <QtConcurrent>
#include <algorithm>
#include <cmath>
#include <limits>

#include "core/train/run_curves.h"
#include "ui/paper_figure.h"
#include "ui/plot_style.h"
#include "ui/qcp.h"
#include "ui/settings.h"
#include "ui/views/curve_tracker.h"
#include "ui/views/curves_controls.h"
#include "ui/views/curves_legend.h"
#include "ui/views/seed_bands.h"

namespace crisp::ui {
namespace {

constexpr double kPaperDense = 90.62;   // Gandhi & Gandhi 2025, dense DistilBERT on SST-2
constexpr double kPaperSparse = 91.59;  // their best, 80% sparsity

// The sparse runs in Okabe-Ito's colour-blind-safe colours (kOkabeIto). The dense baselines
// are drawn in greys from the foreground (black on paper: 20, 110, 165), so the baseline stands
// apart from every sparse run, in colour and in print, in either theme.
const double kDenseInks[] = {0.92, 0.57, 0.35};
constexpr double kKeyInk = 0.725;  // legend entries for a line style or a kind of curve (70)

QCustomPlot* makePlot(const QString& title, const QString& yLabel, QWidget* parent) {
  auto* plot = new QCustomPlot(parent);
  plot->plotLayout()->insertRow(0);
  plot->plotLayout()->addElement(0, 0,
                                 new QCPTextElement(plot, title, QFont("sans", 11, QFont::Bold)));
  plot->xAxis->setLabel(QObject::tr("step"));
  plot->yAxis->setLabel(yLabel);
  plot->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  plot->legend->setVisible(true);
  plot->legend->setFont(QFont("sans", 9));
  plot->plotLayout()->setColumnSpacing(4);
  followTheme(*plot);
  return plot;
}

QVector<double> toQVector(const std::vector<double>& v) {
  return QVector<double>(v.begin(), v.end());
}

CurvePoint curvePoint(qint64 step, double epoch, double seconds, double loss,
                      double accuracy = -1) {
  CurvePoint c;
  c.step = step;
  c.epoch = epoch;
  c.seconds = seconds;
  c.loss = loss;
  c.accuracy = accuracy;
  return c;
}

}  // namespace

struct CurvesView::Series {
  QString key, name, policy;
  QString configuration;  // the run's configuration; name may be its directory's to be unique
  qint64 seed = -1;       // -1: unknown
  bool dense = false;
  std::vector<CurvePoint> train, dev;
  QCPGraph *raw = nullptr, *smooth = nullptr, *devLoss = nullptr, *devAccuracy = nullptr;
  bool shown() const { return !train.empty() || !dev.empty(); }
  RunPalette::Run paletteRun() const { return {key, name, configuration, seed, dense, shown()}; }
};

// The overlays' curves as read off the GUI thread.
struct CurvesView::OverlayCurves {
  int request = 0;                                  // overlayRequest_ when asked
  std::vector<std::pair<QString, RunCurves>> runs;  // run directory, its curves
  QStringList unreadable;
};

CurvesView::CurvesView(QWidget* parent) : QWidget(parent) {
  setObjectName(QStringLiteral("curvesView"));
  lossPlot_ = makePlot(tr("Loss"), tr("cross-entropy"), this);
  lossPlot_->setObjectName(QStringLiteral("lossPlot"));
  accuracyPlot_ = makePlot(tr("Dev accuracy"), tr("accuracy (%)"), this);
  accuracyPlot_->setObjectName(QStringLiteral("accuracyPlot"));
  legend_ = std::make_unique<CurvesLegend>(lossPlot_, accuracyPlot_);
  tracker_ = std::make_unique<CurveTracker>(
      QList<QCustomPlot*>{lossPlot_, accuracyPlot_},
      [this](const QCustomPlot* plot, double key, double value) {
        const QString x = xAxis_ == XAxis::Step    ? tr("step %1").arg(key, 0, 'f', 0)
                          : xAxis_ == XAxis::Epoch ? tr("epoch %1").arg(key, 0, 'f', 3)
                                                   : tr("%1 s").arg(key, 0, 'f', 1);
        const QString y = plot == accuracyPlot_ ? tr("%1 %").arg(value, 0, 'f', 2)
                                                : QString::number(value, 'f', 4);
        return QStringLiteral("%1:  %2").arg(x, y);
      });

  paperDense_ = accuracyPlot_->addGraph();
  paperDense_->setName(tr("paper: dense 90.62"));
  paperSparse_ = accuracyPlot_->addGraph();
  paperSparse_->setName(tr("paper: crisp 0.8 91.59"));
  paperSparse_->setPen(QPen(kOkabeIto[3], 1.2, Qt::DotLine));  // not the first run's blue
  for (QCPGraph* g : {paperDense_, paperSparse_}) {
    g->setVisible(false);
    g->removeFromLegend();
    tracker_->ignore(g);
  }
  series_.emplace_back(new Series);
  series_.back()->key = kLiveRunKey;
  series_.back()->name = tr("this run");
  series_.back()->configuration = series_.back()->name;
  makeSeries(QString(), QString(), QString(), -1);  // creates the live run's graphs in place

  for (QCustomPlot* plot : {lossPlot_, accuracyPlot_}) {
    connect(plot, &QCustomPlot::mouseMove, this, [this](QMouseEvent* event) {
      if (event->buttons() != Qt::NoButton) userView_ = true;  // a drag pans
    });
    connect(plot, &QCustomPlot::mouseWheel, this, [this] { userView_ = true; });
    connect(plot, &QCustomPlot::mouseDoubleClick, this, &CurvesView::resetView);
  }
  restyle();  // the crosshairs' and the reference lines' colours
  // Both plots share the x axis: zooming or panning one moves the other.
  auto follow = [this](QCustomPlot* other) {
    return [this, other](const QCPRange& range) {
      if (syncing_) return;
      syncing_ = true;
      other->xAxis->setRange(range);
      other->replot(QCustomPlot::rpQueuedReplot);
      syncing_ = false;
    };
  };
  connect(lossPlot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
          follow(accuracyPlot_));
  connect(accuracyPlot_->xAxis, qOverload<const QCPRange&>(&QCPAxis::rangeChanged), this,
          follow(lossPlot_));

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
    for (QCPGraph* g : {paperDense_, paperSparse_}) {
      g->setVisible(on);
      on ? g->addToLegend() : g->removeFromLegend();
    }
    refresh();
  });
  connect(controls_->seedBands, qOverload<int>(&QComboBox::activated), this, [this](int index) {
    setSeedBands(controls_->seedBands->itemData(index).value<SeedBandKind>());
  });
  connect(controls_->reset, &QPushButton::clicked, this, &CurvesView::resetView);
  trainBands_ = std::make_unique<SeedBands>(lossPlot_);
  devLossBands_ = std::make_unique<SeedBands>(lossPlot_);
  accuracyBands_ = std::make_unique<SeedBands>(accuracyPlot_);

  const CurvesPreferences saved = StudioSettings::curves();
  emaPercent_ = std::clamp(saved.emaPercent, 0, 99);
  window_ = std::clamp(saved.window, 1, 200);
  const XAxis axis = saved.xAxis == QLatin1String("epoch")  ? XAxis::Epoch
                     : saved.xAxis == QLatin1String("time") ? XAxis::WallTime
                                                            : XAxis::Step;
  bandKind_ = seedBandKindFromName(saved.seedBands);
  controls_->seedBands->setCurrentIndex(
      controls_->seedBands->findData(QVariant::fromValue(bandKind_)));
  setSmoothingKind(saved.smoothing == QLatin1String("mean") ? Smoothing::MovingAverage
                                                            : Smoothing::Ema);
  setXAxis(axis);
}

CurvesView::~CurvesView() = default;

CurvesView::Series& CurvesView::live() {
  return *series_.front();
}

CurvesView::Series* CurvesView::makeSeries(const QString& key, const QString& name,
                                           const QString& policy, qint64 seed) {
  Series* series = series_.front().get();
  if (!key.isEmpty()) {
    series_.emplace_back(new Series);
    series = series_.back().get();
    series->key = key;
    series->name = name;
    series->configuration = name;
    series->policy = policy;
    series->dense = policy.isEmpty() || policy == QLatin1String("dense");
    series->seed = seed;
  }
  series->raw = lossPlot_->addGraph();
  series->raw->setProperty(kRawCurveProperty, true);  // left out of figures
  series->smooth = lossPlot_->addGraph();
  series->devLoss = lossPlot_->addGraph();
  series->devAccuracy = accuracyPlot_->addGraph();
  return series;
}

void CurvesView::removeSeries(Series& series) {
  lossPlot_->removeGraph(series.raw);
  lossPlot_->removeGraph(series.smooth);
  lossPlot_->removeGraph(series.devLoss);
  accuracyPlot_->removeGraph(series.devAccuracy);
}

QColor CurvesView::runColor(const QString& runKey) const {
  const int slot = palette_.slot(runKey);
  if (slot < 0) return inks().ink(kDenseInks[(-1 - slot) % std::size(kDenseInks)]);
  return kOkabeIto[slot % std::size(kOkabeIto)];
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
  const QColor keyInk = colours.ink(kKeyInk);
  paperDense_->setPen(QPen(colours.ink(0.53), 1.2, Qt::DotLine));  // (120) on paper
  tracker_->setColours(colours);
  std::vector<RunPalette::Run> runs;
  std::vector<const Series*> shown;
  for (const auto& s : series_) {
    runs.push_back(s->paletteRun());
    if (s->shown()) shown.push_back(s.get());
  }
  palette_.setRuns(std::move(runs));
  const int drawn = static_cast<int>(shown.size());
  const bool grouped = palette_.grouped();
  const QString smoothName = smoothingKind_ == Smoothing::Ema
                                 ? tr("EMA %1").arg(emaPercent_ / 100.0, 0, 'f', 2)
                                 : tr("mean of %1").arg(window_);

  for (const auto& series : series_) {
    Series& s = *series;
    // Colours are handed out to runs when they are first drawn, never to an empty live run.
    const QColor colour = s.shown() ? runColor(s.key) : QColor(Qt::gray);
    const Qt::PenStyle style = palette_.lineStyle(s.key);
    QColor faint = colour;
    faint.setAlpha(drawn > 3 ? 30 : s.dense ? 55 : 70);  // many runs: the raw loss is a haze
    s.raw->setPen(QPen(faint, 1));
    s.smooth->setPen(QPen(colour, s.dense ? 2.2 : 1.8, style));
    s.devLoss->setPen(QPen(colour, 1.5, grouped ? style : Qt::DashLine));
    s.devLoss->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, colour, colours.background, 5));
    s.devAccuracy->setPen(QPen(colour, s.dense ? 2.2 : 1.8, style));
    s.devAccuracy->setScatterStyle(QCPScatterStyle(
        s.dense ? QCPScatterStyle::ssSquare : QCPScatterStyle::ssCircle, colour, colour, 5));
    if (drawn <= 1) {
      s.raw->setName(tr("train loss"));
      s.smooth->setName(tr("train loss (%1)").arg(smoothName));
      s.devLoss->setName(tr("dev loss"));
      s.devAccuracy->setName(tr("dev accuracy"));
    } else {  // what the crosshair and the CSV name
      s.raw->setName(tr("%1 · train").arg(s.name));
      s.smooth->setName(tr("%1 · train (%2)").arg(s.name, smoothName));
      s.devLoss->setName(tr("%1 · dev").arg(s.name));
      s.devAccuracy->setName(s.name);
    }
    for (QCPGraph* g : {s.raw, s.smooth, s.devLoss, s.devAccuracy}) g->removeFromLegend();
    if (drawn == 1 && s.shown()) {  // one run: the legend names the kinds of curve
      for (QCPGraph* g : {s.raw, s.smooth, s.devLoss, s.devAccuracy}) g->addToLegend();
    }
  }

  // Several runs: the legend names runs (or configurations and seeds) once, through data-less
  // key graphs, and the kinds of curve once; it sits beside the axes, off the data.
  legend_->clearKeys();
  if (drawn > 1) {
    QStringList named;
    for (const Series* s : shown) {
      const QString label = palette_.legendName(s->key);
      if (named.contains(label)) continue;
      named << label;
      const QColor colour = runColor(s->key);
      legend_->addKey(lossPlot_, label, QPen(colour, 2.5));
      legend_->addKey(accuracyPlot_, label, QPen(colour, 2.5), s->devAccuracy->scatterStyle());
    }
    if (bandKind_ == SeedBandKind::Off) {
      for (const qint64 seed : palette_.groupedSeeds()) {
        const QString label = seed < 0 ? tr("seed unknown") : tr("seed %1").arg(seed);
        for (QCustomPlot* plot : {lossPlot_, accuracyPlot_})
          legend_->addKey(plot, label, QPen(keyInk, 1.8, palette_.seedStyle(seed)));
      }
    } else if (grouped) {  // the band's key: a grey swatch under a grey line
      const QString label = bandKind_ == SeedBandKind::Sd ? tr("mean ± sd over seeds")
                                                          : tr("mean, min–max over seeds");
      for (QCustomPlot* plot : {lossPlot_, accuracyPlot_})
        legend_->addKey(plot, label, QPen(keyInk, 1.8))->setBrush(colours.ink(kKeyInk, 60));
    }
    legend_->addKey(lossPlot_, tr("train (%1)").arg(smoothName), QPen(keyInk, 1.8));
    legend_->addKey(lossPlot_, tr("dev"), QPen(keyInk, 1.5, grouped ? Qt::SolidLine : Qt::DashLine),
                    QCPScatterStyle(QCPScatterStyle::ssCircle, keyInk, colours.background, 5));
  }
  // The paper's reference lines stay last.
  legend_->place(drawn > 1, {paperDense_, paperSparse_});
}

double CurvesView::keyOf(qint64 step, double epoch, double seconds) const {
  switch (xAxis_) {
    case XAxis::Epoch: return epoch;
    case XAxis::WallTime: return seconds;
    case XAxis::Step: break;
  }
  return static_cast<double>(step);
}

void CurvesView::rebuildTrain(Series& s) {
  QVector<double> keys;
  std::vector<double> losses;
  keys.reserve(static_cast<int>(s.train.size()));
  losses.reserve(s.train.size());
  for (const CurvePoint& p : s.train) {
    keys << keyOf(p.step, p.epoch, p.seconds);
    losses.push_back(p.loss);
  }
  const std::vector<double> smooth = smoothingKind_ == Smoothing::Ema
                                         ? emaDebiased(losses, emaPercent_ / 100.0)
                                         : movingAverage(losses, window_);
  const bool sorted = xAxis_ == XAxis::Step;  // epoch and time follow steps except after resume
  s.raw->setData(keys, toQVector(losses), sorted);
  s.smooth->setData(keys, toQVector(smooth), sorted);
}

void CurvesView::rebuild(Series& s) {
  rebuildTrain(s);
  QVector<double> keys, losses, accuracies;
  for (const CurvePoint& p : s.dev) {
    keys << keyOf(p.step, p.epoch, p.seconds);
    losses << p.loss;
    accuracies << 100.0 * p.accuracy;
  }
  s.devLoss->setData(keys, losses);
  s.devAccuracy->setData(keys, accuracies);
}

void CurvesView::rebuildAll() {
  restyle();
  for (auto& s : series_) rebuild(*s);
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
  return smoothingKind_ == Smoothing::Ema ? emaPercent_ : window_ - 1;
}

void CurvesView::clear() {
  Series& s = live();
  s.train.clear();
  s.dev.clear();
  tracker_->hide();
  userView_ = false;
  rebuildAll();
  updateSummary();
}

void CurvesView::setLiveRunState(const QString& state) {
  liveState_ = state;
  updateSummary();
}

void CurvesView::setLiveRun(const QString& name, const QString& policy, const QString& path,
                            qint64 seed) {
  Series& s = live();
  liveState_.clear();
  s.key = path.isEmpty() ? kLiveRunKey : path;
  s.name = name;
  s.configuration = name;
  s.seed = seed;
  s.policy = policy;
  s.dense = policy.isEmpty() || policy == QLatin1String("dense");
  // An overlay of the same directory would draw the run twice.
  for (size_t i = 1; i < series_.size(); ++i) {
    if (series_[i]->key == s.key) {
      removeSeries(*series_[i]);
      series_.erase(series_.begin() + static_cast<std::ptrdiff_t>(i));
      break;
    }
  }
  tracker_->hide();
  rebuildAll();
  updateSummary();
}

void CurvesView::addStep(const StepPoint& point) {
  Series& s = live();
  const bool first = !s.shown();
  // A resumed run repeats the steps after its checkpoint: the new points replace the old.
  while (!s.train.empty() && s.train.back().step >= point.step) s.train.pop_back();
  s.train.push_back(curvePoint(point.step, point.epoch, point.seconds, point.loss));
  if (first) {
    rebuildAll();  // legend names depend on how many runs have points
    updateSummary();
  } else {
    rebuildTrain(s);
    refresh();
  }
}

void CurvesView::addEval(const EvalPoint& point) {
  Series& s = live();
  while (!s.dev.empty() && s.dev.back().step >= point.step) s.dev.pop_back();
  s.dev.push_back(curvePoint(point.step, point.epoch, point.seconds, point.loss, point.accuracy));
  restyle();
  rebuild(s);
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
  Series& s = live();
  s.train = std::move(curves.train);
  s.dev = std::move(curves.dev);
  tracker_->hide();
  userView_ = false;
  rebuildAll();
  updateSummary();
  return true;
}

void CurvesView::setOverlayRuns(const QStringList& paths) {
  const int request = ++overlayRequest_;
  auto* watcher = new QFutureWatcher<OverlayCurves>(this);
  connect(watcher, &QFutureWatcher<OverlayCurves>::finished, this, [this, watcher] {
    watcher->deleteLater();
    OverlayCurves overlays = watcher->result();
    if (overlays.request == overlayRequest_) showOverlays(std::move(overlays));
  });
  watcher->setFuture(QtConcurrent::run([paths, request] {
    OverlayCurves overlays;
    overlays.request = request;
    for (const QString& path : paths) {
      try {
        overlays.runs.emplace_back(path, readRunCurves(path.toStdString()));
      } catch (const std::exception&) {
        overlays.unreadable << path;
      }
    }
    return overlays;
  }));
}

void CurvesView::showOverlays(OverlayCurves overlays) {
  tracker_->hide();
  for (size_t i = 1; i < series_.size(); ++i) removeSeries(*series_[i]);
  series_.resize(1);
  for (auto& [path, curves] : overlays.runs) {
    if (path == live().key) continue;
    Series* s = makeSeries(path, QString::fromStdString(curves.name),
                           QString::fromStdString(curves.policy), static_cast<qint64>(curves.seed));
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
  userView_ = false;
  rebuildAll();
  updateSummary();
}

void CurvesView::setSmoothing(int value) {
  if (smoothingKind_ == Smoothing::Ema) {
    emaPercent_ = std::clamp(value, 0, 99);
    controls_->showSmoothingValue(value, QString::number(emaPercent_ / 100.0, 'f', 2));
  } else {
    window_ = std::clamp(value + 1, 1, 200);
    controls_->showSmoothingValue(value, tr("%1 pts").arg(window_));
  }
  CurvesPreferences prefs = StudioSettings::curves();
  prefs.emaPercent = emaPercent_;
  prefs.window = window_;
  StudioSettings::setCurves(prefs);
  restyle();
  for (auto& s : series_) rebuildTrain(*s);
  refresh();
}

void CurvesView::setSmoothingKind(Smoothing kind) {
  smoothingKind_ = kind;
  controls_->showSmoothingKind(kind == Smoothing::Ema, smoothingValue());
  CurvesPreferences prefs = StudioSettings::curves();
  prefs.smoothing = kind == Smoothing::Ema ? QStringLiteral("ema") : QStringLiteral("mean");
  StudioSettings::setCurves(prefs);
  setSmoothing(controls_->smoothing->value());
}

void CurvesView::setXAxis(XAxis axis) {
  xAxis_ = axis;
  controls_->xAxis->setCurrentIndex(static_cast<int>(axis));
  const QString label = axis == XAxis::Step    ? tr("step")
                        : axis == XAxis::Epoch ? tr("epoch")
                                               : tr("wall time (s)");
  lossPlot_->xAxis->setLabel(label);
  accuracyPlot_->xAxis->setLabel(label);
  CurvesPreferences prefs = StudioSettings::curves();
  prefs.xAxis = axis == XAxis::Step    ? QStringLiteral("step")
                : axis == XAxis::Epoch ? QStringLiteral("epoch")
                                       : QStringLiteral("time");
  StudioSettings::setCurves(prefs);
  tracker_->hide();
  userView_ = false;  // the old range means nothing on the new axis
  for (auto& s : series_) rebuild(*s);
  refresh();
}

void CurvesView::setSeedBands(SeedBandKind kind) {
  bandKind_ = kind;
  controls_->seedBands->setCurrentIndex(controls_->seedBands->findData(QVariant::fromValue(kind)));
  CurvesPreferences prefs = StudioSettings::curves();
  prefs.seedBands = seedBandKindName(kind);
  StudioSettings::setCurves(prefs);
  tracker_->hide();
  rebuildAll();
}

QList<SeedGroup> CurvesView::seedGroups(CurveKind kind) const {
  QMap<QString, int> index;  // configuration -> its group
  QList<SeedGroup> groups;
  for (const auto& s : series_) {
    if (!s->shown() || !palette_.inSeedGroup(s->configuration)) continue;
    const QCPGraph* graph = kind == CurveKind::TrainLoss ? s->smooth
                            : kind == CurveKind::DevLoss ? s->devLoss
                                                         : s->devAccuracy;
    SeedCurve curve;
    for (auto it = graph->data()->constBegin(); it != graph->data()->constEnd(); ++it) {
      curve.x.push_back(it->key);
      curve.y.push_back(it->value);
    }
    auto at = index.find(s->configuration);
    if (at == index.end()) {
      at = index.insert(s->configuration, static_cast<int>(groups.size()));
      groups.push_back({s->configuration, runColor(s->key), {}});
    }
    groups[at.value()].seeds.push_back(std::move(curve));
  }
  return groups;
}

void CurvesView::updateBands() {
  // Banded, a configuration's seeds are drawn as their mean and band only.
  const bool banded = bandKind_ != SeedBandKind::Off;
  for (const auto& s : series_) {
    const bool hide = banded && palette_.inSeedGroup(s->configuration);
    for (QCPGraph* g : {s->raw, s->smooth, s->devLoss, s->devAccuracy}) g->setVisible(!hide);
  }
  const SeedBandKind kind = banded ? bandKind_ : SeedBandKind::Off;
  trainBands_->set(seedGroups(CurveKind::TrainLoss), kind, tr("train"));
  devLossBands_->set(seedGroups(CurveKind::DevLoss), kind, tr("dev"), 1.2);
  accuracyBands_->set(seedGroups(CurveKind::DevAccuracy), kind, tr("dev accuracy"));
  // Dev loss: the mean only (dashed, as each run's), its band would bury the training loss's.
  for (QCPGraph* g : devLossBands_->means()) g->setPen(QPen(g->pen().color(), 1.2, Qt::DashLine));
  for (QCPGraph* g : devLossBands_->edges()) g->setVisible(false);
}

int CurvesView::bandCount() const {
  return static_cast<int>(accuracyBands_->means().size());
}

QCustomPlot* CurvesView::seedComparisonPlot() {
  const QList<SeedGroup> groups = seedGroups(CurveKind::DevAccuracy);
  if (groups.isEmpty()) return nullptr;
  if (!seedFigure_) seedFigure_ = std::make_unique<SeedComparisonFigure>(this);
  seedFigure_->set(groups, bandKind_, lossPlot_->xAxis->label());
  return seedFigure_->plot();
}

QString CurvesView::livePolicy() const {
  return series_.front()->policy;
}

void CurvesView::resetView() {
  userView_ = false;
  refresh();
}

void CurvesView::updateSummary() {
  const Series& s = *series_.front();
  QString text;
  if (!s.dev.empty()) {
    const CurvePoint& last = s.dev.back();
    double best = 0;
    for (const CurvePoint& e : s.dev) best = std::max(best, e.accuracy);
    text = tr("%1 — step %2 · dev accuracy %3% · best %4% · dev loss %5")
               .arg(s.name)
               .arg(last.step)
               .arg(100.0 * last.accuracy, 0, 'f', 2)
               .arg(100.0 * best, 0, 'f', 2)
               .arg(last.loss, 0, 'f', 4);
  } else if (!s.train.empty()) {
    text = tr("%1 — step %2 · loss %3")
               .arg(s.name)
               .arg(s.train.back().step)
               .arg(s.train.back().loss, 0, 'f', 4);
  } else if (s.key != kLiveRunKey) {
    const bool starting = liveState_.isEmpty() || liveState_ == QLatin1String("preparing") ||
                          liveState_ == QLatin1String("running");
    text = starting ? tr("%1 — starting: preparing the data and the model…").arg(s.name)
                    : tr("%1 — %2 before its first step").arg(s.name, liveState_);
  } else {
    text = tr("No run yet: configure an experiment on the left and press Start.");
  }
  const int others = static_cast<int>(series_.size()) - 1;
  if (others > 0) {
    text = s.shown() ? text + tr("   ·   compared with %n run(s) selected in the Runs tab", nullptr,
                                 others)
                     : tr("Comparing %n run(s) selected in the Runs tab", nullptr, others);
  }
  controls_->summary->setText(text);
}

void CurvesView::refresh() {
  updateBands();
  double low = std::numeric_limits<double>::max(), high = std::numeric_limits<double>::lowest();
  double lowAccuracy = 100, highAccuracy = 0;
  for (const auto& s : series_) {
    for (QCPGraph* g : {s->raw, s->devLoss}) {
      bool found = false;
      const QCPRange range = g->getKeyRange(found);
      if (found) {
        low = std::min(low, range.lower);
        high = std::max(high, range.upper);
      }
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
  for (QCPGraph* g : {paperDense_, paperSparse_}) {
    const double y = g == paperDense_ ? kPaperDense : kPaperSparse;
    g->setData({low, high}, {y, y}, true);
  }
  if (!userView_) {
    // A little room on the right: the last evaluation's marker is not cut in half.
    const QCPRange x(low, std::max(high + 0.01 * (high - low), low + 1e-9));
    lossPlot_->xAxis->setRange(x);
    accuracyPlot_->xAxis->setRange(x);
    lossPlot_->yAxis->rescale(true);
    const QCPRange y = lossPlot_->yAxis->range();
    lossPlot_->yAxis->setRange(0, y.upper > 0 ? y.upper * 1.05 : 1);
    if (controls_->references->isChecked()) {
      lowAccuracy = std::min(lowAccuracy, kPaperDense);
      highAccuracy = std::max(highAccuracy, kPaperSparse);
    }
    if (CurvesLegend::isBeside(accuracyPlot_) && highAccuracy >= lowAccuracy) {
      // Runs compared: the legend is off the axes, so the axis can close in on the curves,
      // where differences of a point or two are visible.
      const double floor = std::max(0.0, std::floor((lowAccuracy - 1) / 5) * 5);
      accuracyPlot_->yAxis->setRange(floor, std::min(100.5, std::ceil((highAccuracy + 1) / 5) * 5));
    } else {
      // Leave room under the lowest curve for the legend in the lower right corner.
      const double floor = std::max(0.0, std::floor((lowAccuracy - 8) / 5) * 5);
      accuracyPlot_->yAxis->setRange(std::min(floor, 50.0), 100.5);
    }
  }
  // An empty legend is a stray box: show it only when it has entries.
  for (QCustomPlot* plot : {lossPlot_, accuracyPlot_})
    plot->legend->setVisible(plot->legend->itemCount() > 0);
  lossPlot_->replot(QCustomPlot::rpQueuedReplot);
  accuracyPlot_->replot(QCustomPlot::rpQueuedReplot);
}

}  // namespace crisp::ui
