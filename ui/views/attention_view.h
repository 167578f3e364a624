#pragma once

#include <QMap>
#include <QSet>
#include <QWidget>

#include "ui/studio_types.h"
#include "ui/views/attention_details.h"
#include "ui/views/dam_mask_panel.h"

class QCustomPlot;
class QCPColorMap;
class QCPTextElement;
class QComboBox;
class QCheckBox;
class QLabel;
class QLineEdit;
class QMouseEvent;

namespace crisp {
struct Prediction;
}

namespace crisp::ui {

class InferenceService;
class ModelSnapshot;

// One layer and head's attention before and after pruning, side by side on one colour scale,
// tokens as axis labels, the exact values on hover; every layer x head as thumbnails to pick
// from; mean over heads and attention rollout; per-head statistics; the learned DAM mask. It
// follows the probe sentences as training goes on, and shows any typed sentence through the
// current model snapshot (inference off the GUI thread).
class AttentionView : public QWidget {
  Q_OBJECT
 public:
  // Head combo data for the aggregations (the heads themselves are 0..H-1).
  static constexpr int kMeanOverHeads = -1;
  static constexpr int kRollout = -2;

  explicit AttentionView(QWidget* parent = nullptr);
  QCustomPlot* heatmapPlot() const { return plot_; }
  QCustomPlot* damPlot() const { return details_->damMask()->plot(); }
  // Beside the learned mask: how many (query, key) pairs of the sentence it keeps.
  QString damSummary() const { return details_->damMask()->summary(); }
  AttentionGrid* grid() const { return details_->grid(); }
  // Rows of a HeadStatisticsModel, sortable by any column; clicking a row shows that head.
  QTableView* statisticsTable() const { return details_->statisticsTable(); }
  // The matrices shown now ([query][key], after the head choice and token filter).
  QVector<QVector<double>> shownBefore() const { return shownBefore_; }
  QVector<QVector<double>> shownAfter() const { return shownAfter_; }
  QVector<int> shownTokens() const { return shown_; }  // frame token indices on the axes
  int currentLayer() const;
  int currentHead() const;  // a head, kMeanOverHeads or kRollout
  void select(int layer, int head);
  const AttentionFrame* currentFrame() const;

  // What the pointer at pos (heatmapPlot() coordinates) is over.
  struct Hover {
    bool valid = false;
    int query = -1, key = -1;  // frame token indices
    QString queryToken, keyToken;
    double before = 0, after = 0;
    QString text;
  };
  Hover hoverAt(const QPointF& pos) const;
  QString hoverText() const;  // the status line under the heatmaps

  // Typed sentences run through this snapshot's model (shared with the Predict view). When it
  // loads another run than the one the view shows (a run opened from the Runs tab), the view
  // shows that run's probe sentences, and the sentences typed before, through its model.
  void setModelSnapshot(ModelSnapshot* snapshot);
  void showSentence(const QString& text);

 public Q_SLOTS:
  // A frame of the live trainer in this process (a run of several processes sends none: the
  // view then shows its probes through each new checkpoint the model snapshot loads).
  void setFrame(const crisp::ui::AttentionFrame& frame);
  // The run's attention policy ("crisp:0.8"): the after-pruning panel and figures name it.
  void setPolicy(const QString& policy);
  void clear();

 Q_SIGNALS:
  void typedSentenceShown();

 private:
  void redraw();
  void onMouseMove(QMouseEvent* event);
  void showRun(const QString& runDirectory);
  void infer(const QString& text, bool typed);
  void addInferredFrame(const QString& text, const Prediction& p);
  void showFrame(const AttentionFrame& frame);
  QCustomPlot* plot_;
  QCPColorMap *beforeMap_, *afterMap_;
  QCPTextElement *beforeTitle_, *afterTitle_;
  QString policy_;
  QComboBox *sentence_, *layer_, *head_;
  QCheckBox* hideSpecial_;
  QLabel *caption_, *hover_, *modelLabel_;
  QLineEdit* typed_;
  AttentionDetails* details_;
  QMap<QString, AttentionFrame> frames_;  // the latest frame per sentence
  QVector<QVector<double>> shownBefore_, shownAfter_;
  QVector<int> shown_;
  InferenceService* inference_;
  QSet<QString> typedRequests_;  // asked as typed, not yet shown (a probe request undoes it)
  QStringList typedSentences_;
  QString framesRun_;        // the run the frames are of; empty: the live run, or none yet
  bool liveFrames_ = false;  // setFrame was called: frames come from a trainer in this process
};

}  // namespace crisp::ui
