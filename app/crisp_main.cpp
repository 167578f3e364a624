// crisp: the headless command line. Subcommands live in core/cli; this file only wires them.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "app/completion.h"
#include "app/manpage.h"
#include "core/cli/bench_command.h"
#include "core/cli/command_support.h"
#include "core/cli/eval_command.h"
#include "core/cli/export_command.h"
#include "core/cli/forward_command.h"
#include "core/cli/info_command.h"
#include "core/cli/inspect_command.h"
#include "core/cli/predict_command.h"
#include "core/cli/sweep_command.h"
#include "core/cli/tokenize_command.h"
#include "core/cli/train_command.h"
#include "core/dist/c10d_synchronizer.h"
#include "core/dist/launch.h"
#include "core/model/policy_term.h"
#include "core/sys/error.h"
#include "core/sys/parse.h"
#include "core/sys/threads.h"

namespace {

template <typename T>
struct NumberOf {
  using type = T;
};
template <typename T>
struct NumberOf<std::optional<T>> {
  using type = T;
};

// A numeric option read as exactly its type (crisp::parseNumber): CLI11 alone takes "-1" for an
// unsigned seed as 2^64-1 and "010" as octal 8. Help shows the target's value as the default
// (an unset std::optional has none: its help says what happens then).
template <typename T>
CLI::Option* addNumber(CLI::App* command, const std::string& name, T& target,
                       const std::string& help) {
  using Number = typename NumberOf<T>::type;
  CLI::Option* option =
      command
          ->add_option_function<std::string>(
              name,
              [&target, name](const std::string& text) {
                const std::optional<Number> value = crisp::parseNumber<Number>(text);
                if (!value) {
                  throw CLI::ValidationError(
                      name, "\"" + text + "\" is not " + crisp::numberExpectation<Number>());
                }
                target = *value;
              },
              help)
          ->type_name(std::is_floating_point_v<Number> ? "FLOAT" : "INT");
  if constexpr (std::is_same_v<T, Number>) {
    std::ostringstream shown;
    shown << target;
    option->default_str(shown.str());
  }
  return option;
}

// A command whose line in `crisp --help` is `summary`; `details` (examples, formats, exit codes)
// appear in its own --help only, so the top-level help stays one line per command.
CLI::App* addCommand(CLI::App* parent, const std::string& name, const std::string& summary,
                     const std::string& details = {}) {
  CLI::App* command = parent->add_subcommand(name, summary);
  if (!details.empty()) command->footer(details);
  return command;
}

// The deepest command the command line reached: `bench` in `crisp bench flop`.
CLI::App* reachedCommand(CLI::App* app) {
  for (CLI::App* sub : app->get_subcommands()) return reachedCommand(sub);
  return app;
}

std::string commandPath(const CLI::App* command) {
  std::string path;
  for (; command != nullptr; command = command->get_parent()) {
    path = command->get_name() + (path.empty() ? "" : " ") + path;
  }
  return path;
}

// "Did you mean" for what CLI11 could not place: a mistyped command (`crisp trian`) or option
// (`crisp train --epoch 1`). Prints one error line and returns true when there was such a word.
bool explainUnknownWord(CLI::App& app, std::ostream& err) {
  CLI::App* command = reachedCommand(&app);
  const std::string where = commandPath(command);
  for (const std::string& word : app.remaining(true)) {
    if (word.size() > 1 && word[0] == '-') {
      // The command's own options and, as they are accepted anywhere, the global ones.
      std::vector<std::string> names;
      for (const CLI::App* c = command; c != nullptr; c = c->get_parent()) {
        for (const CLI::Option* option : c->get_options()) {
          for (const std::string& name : option->get_lnames()) names.push_back("--" + name);
        }
      }
      const std::string option = word.substr(0, word.find('='));
      const std::string suggestion = crisp::closestName(option, names);
      err << where << ": error: unknown option " << option
          << (suggestion.empty() ? "" : "; did you mean " + suggestion + "?") << "\n"
          << "Run `" << where << " --help` for its options.\n";
      return true;
    }
    std::vector<std::string> commands;
    const auto all = [](const CLI::App*) { return true; };
    for (const CLI::App* sub : static_cast<const CLI::App*>(command)->get_subcommands(all)) {
      commands.push_back(sub->get_name());
    }
    if (!commands.empty() && command->get_subcommands().empty()) {
      const std::string suggestion = crisp::closestName(word, commands);
      err << where << ": error: unknown command \"" << word << "\""
          << (suggestion.empty() ? "" : "; did you mean \"" + suggestion + "\"?") << "\n"
          << "Run `" << where << " --help` for the commands.\n";
      return true;
    }
  }
  return false;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "crisp: fine-tune BERT-family classifiers with sparse (crisp top-k, SparseBERT) "
      "attention."};
  app.name("crisp");
  app.require_subcommand(1);
  // Global flags (--threads, --quiet, ...) are accepted after the command too.
  app.fallthrough();
  app.option_defaults()->always_capture_default();
  app.set_version_flag(
      "--version", [] { return crisp::cli::versionLine(); }, "Print the version and exit");
  std::optional<int> threads;
  addNumber(&app, "--threads", threads,
            "Intra-op threads (default: CRISP_THREADS, else the usable CPUs)")
      ->check(CLI::Range(1, 1024).description("1..1024"));
  bool quietFlag = false, verboseFlag = false;
  app.add_flag("-q,--quiet", quietFlag,
               "Print results, warnings and errors only (no progress, no notes)");
  app.add_flag("-v,--verbose", verboseFlag,
               "Print more: the resolved configuration, the thread choice, finer progress");

  const std::string policyHelp =
      "Attention policy, e.g. crisp:0.8 or nodiag+window:3 (`crisp policies` lists every term)";
  const std::string allowNonFiniteHelp =
      "Load weights that hold NaN or infinite values (for forensics; refused otherwise)";
  const std::string exitCodes =
      "Exit codes: 0 ok, 1 failure at run time (e.g. a corrupt checkpoint), 2 bad input or usage.";
  const std::string trainExitCodes =
      "Exit codes: 0 finished or stopped, 1 failed, 2 bad input or usage, 128+N stopped by "
      "signal N with a checkpoint (130 Ctrl-C, 143 SIGTERM).";

  // --- training --------------------------------------------------------------------------------
  crisp::cli::TrainOptions trainOptions;
  auto& ex = trainOptions.experiment;
  CLI::App* train = addCommand(
      &app, "train", "Fine-tune a classifier into a run directory (only --out: the demo)",
      "Examples:\n"
      "  crisp train --out runs/demo\n"
      "  crisp train --out runs/sst2-crisp08 --preset small --tokenizer ../shared/data/"
      "bert-base-uncased \\\n"
      "      --train ../shared/data/sst2/train.tsv --dev ../shared/data/sst2/dev.tsv "
      "--attention crisp:0.8\n"
      "  crisp train --out runs/sst2-spm --preset small --train-sentencepiece 8000 "
      "--sentencepiece-type unigram \\\n"
      "      --train ../shared/data/sst2/train.tsv --dev ../shared/data/sst2/dev.tsv\n"
      "Defaults: the demo corpus (no --train/--dev) trains 10 epochs of batch 16 at 3e-4 with\n"
      "--max-len 64; other data the defaults shown above. Without --name a run is named\n"
      "DATA-MODEL-POLICY (demo-tiny-dense, sst2-distilbert-base-uncased-crisp0.8).\n"
      "Tokenizer: the model's own by default; --tokenizer DIR|vocab.txt|FILE.model, or\n"
      "--train-sentencepiece N to learn one from the training data. The run keeps a copy in\n"
      "RUN/tokenizer/, so resume, eval, predict, inspect and export need only the run.\n"
      "Progress goes to stderr (a bar on a terminal); the result line or --json to stdout.\n" +
          trainExitCodes);
  train->add_option("--out", trainOptions.runDirectory, "Run directory (created; resumable)")
      ->required();
  train->add_option("--experiment", trainOptions.experimentFile,
                    "Experiment JSON file (flags below override it)");
  train->add_option("--preset", ex.model, "Model preset from scratch: tiny, small, distilbert-base")
      ->transform([](std::string v) { return "preset:" + v; })
      ->default_str("tiny");
  train
      ->add_option("--model", ex.model,
                   "A pretrained model to fine-tune: a Hugging Face directory or a hub id in "
                   "the local cache")
      ->default_str("");
  train->add_option("--tokenizer", ex.tokenizer,
                    "The tokenizer: a WordPiece vocabulary (a directory with vocab.txt, or the "
                    "file) or a SentencePiece .model (default: the model's own)");
  addNumber(train, "--train-sentencepiece", ex.trainSentencePiece.vocabSize,
            "Instead, train a SentencePiece vocabulary of this size on the training "
            "sentences before the model is built (0: no)")
      ->check(CLI::Range(crisp::kSentencePieceMinVocab, crisp::kSentencePieceMaxVocab))
      ->excludes("--tokenizer");
  train
      ->add_option("--sentencepiece-type", ex.trainSentencePiece.modelType,
                   "With --train-sentencepiece: unigram or bpe")
      ->check(CLI::IsMember({"unigram", "bpe"}));
  train->add_option("--train", ex.trainData,
                    "Training data (GLUE TSV, CSV/TSV, JSON Lines; default: the demo corpus)");
  train->add_option("--dev", ex.devData, "Dev data, same format");
  train->add_option("--attention", ex.policy, policyHelp);
  addNumber(train, "--epochs", ex.hyper.epochs, "Epochs (the demo: 10)");
  addNumber(train, "--batch", ex.hyper.batchSize, "Batch size (the demo: 16)");
  addNumber(train, "--lr", ex.hyper.learningRate, "Peak learning rate (the demo: 3e-4)");
  addNumber(train, "--seed", ex.hyper.seed, "Seed (weights, order, dropout)");
  addNumber(train, "--eval-every", ex.hyper.evalEvery, "Evaluate every N steps (0: epoch ends)");
  addNumber(train, "--max-len", ex.maxLength, "Maximum tokens per sentence (the demo: 64)");
  std::string saveEvery;
  train
      ->add_option("--save-every", saveEvery,
                   "Also checkpoint every N steps (500) or every so long (90s, 10m, 2h), so a "
                   "killed job loses little (default: only at evaluations)")
      ->check([](const std::string& text) {
        try {
          crisp::Hyperparameters scratch;
          crisp::parseSaveEvery(text, "--save-every", scratch);
          return std::string();
        } catch (const std::exception& e) {
          return std::string(e.what());
        }
      })
      ->each([&ex](const std::string& text) {
        crisp::parseSaveEvery(text, "--save-every", ex.hyper);
      });
  train
      ->add_option("--name", ex.name,
                   "The run's configuration name; runs of one name are seeds of one "
                   "configuration (default: DATA-MODEL-POLICY, or the experiment file's name)")
      ->default_str("");
  train->add_option("--device", ex.device,
                    "Where to train: cpu, cuda (= cuda:0), cuda:N, or auto (cuda:0 where CUDA "
                    "is available, else cpu)");
  train->add_option("--precision", ex.precision,
                    "fp32 or bf16: mixed precision on CUDA (matrix products in bfloat16; "
                    "attention scores, top-k, softmax, the loss and the optimizer in float32)");
  train->add_flag("--json", trainOptions.json, "Print a JSON summary (progress goes to stderr)");
  // Data-parallel training (core/dist): --nproc starts the ranks itself; under torchrun
  // (`torchrun --nproc_per_node N --no-python crisp train ...`) its variables are already set.
  int nproc = 1;
  double distTimeout = 300;
  const auto addDataParallel = [&](CLI::App* command) {
    addNumber(command, "--nproc", nproc,
              "Train data-parallel on N local processes (Gloo on the CPU; NCCL on CUDA, one "
              "GPU per process; the batch is global and split over them; rank 0 writes the "
              "run). Under torchrun, its environment decides")
        ->check(CLI::Range(1, 256));
    addNumber(command, "--dist-timeout", distTimeout,
              "Seconds a rank waits for the others at a collective before failing")
        ->check(CLI::Range(1.0, 86400.0));
  };
  addDataParallel(train);

  std::string resumeDirectory;
  bool resumeJson = false;
  CLI::App* resume = addCommand(&app, "resume", "Continue a run from its last checkpoint",
                                "Examples:\n  crisp resume runs/demo\n"
                                "  crisp resume runs/sst2 --train /mnt/glue/SST-2/train.tsv "
                                "--dev /mnt/glue/SST-2/dev.tsv\n" +
                                    trainExitCodes);
  resume->add_option("run", resumeDirectory, "Run directory")->required();
  resume->add_flag("--json", resumeJson, "Print a JSON summary");
  addDataParallel(resume);
  crisp::cli::ResumeOverrides resumeOverrides;
  resume->add_option("--device", resumeOverrides.device,
                     "Continue on this device instead of the recorded one (cpu, cuda, cuda:N, "
                     "auto); checkpoints load on any device");
  resume->add_option("--precision", resumeOverrides.precision,
                     "Continue in this precision instead of the recorded one (fp32, bf16)");
  // A moved checkout or another node's mount: the run checks the files by the content it
  // recorded, so a wrong file is refused.
  resume->add_option("--model", resumeOverrides.model,
                     "The run's model, now at this path (must hold the content the run "
                     "recorded)");
  resume->add_option("--train", resumeOverrides.trainData,
                     "The run's training data, now at this path (same content)");
  resume->add_option("--dev", resumeOverrides.devData,
                     "The run's dev data, now at this path (same content)");

  crisp::cli::SweepOptions sweepOptions;
  CLI::App* sweep = addCommand(
      &app, "sweep", "Train every configuration x seed of an experiment set, then statistics",
      "Runs go to ROOT/<config>-seed<N>/; then ROOT/statistics.{md,csv,tex} (mean +- sd; vs the "
      "baseline on the same data\nand model: seed-stratified test, hierarchical bootstrap CI, "
      "per-seed McNemar) and the Markdown is printed.\nFinished runs are skipped and interrupted "
      "ones resumed: re-run the same command after Ctrl-C or a crash.\n"
      "Examples:\n"
      "  crisp sweep experiments/crisp-paper-small.json --out runs/crisp-small --dry-run\n"
      "  crisp sweep experiments/crisp-paper-small.json --out runs/crisp-small --epochs 1\n"
      "  crisp sweep experiments/crisp-paper-distilbert.json --out runs/paper "
      "--model ~/models/distilbert-base-uncased\n" +
          trainExitCodes);
  sweep
      ->add_option("experiment_set", sweepOptions.experimentSet,
                   "Experiment set JSON (see experiments/; relative paths in it are relative "
                   "to the file)")
      ->required();
  sweep->add_option("--out", sweepOptions.root, "Root directory of the runs")->required();
  sweep->add_flag("--dry-run", sweepOptions.dryRun, "List the runs and their state; train nothing");
  sweep->add_flag("--stats-only", sweepOptions.statsOnly,
                  "Train nothing; compute the statistics of the finished runs under ROOT");
  sweep->add_option("--only", sweepOptions.only,
                    "Train only these configurations (repeatable; statistics cover all)");
  sweep
      ->add_option_function<std::string>(
          "--shard",
          [&](const std::string& text) { sweepOptions.shard = crisp::cli::parseShard(text); },
          "Train only share I of N (I from 0): run i goes to share i mod N, so a Slurm job array "
          "splits the sweep (--shard ${SLURM_ARRAY_TASK_ID}/${SLURM_ARRAY_TASK_COUNT}); "
          "statistics afterwards with --stats-only")
      ->check([](const std::string& text) {
        try {
          crisp::cli::parseShard(text);
          return std::string();
        } catch (const std::exception& e) {
          return std::string(e.what());
        }
      });
  addNumber(sweep, "--epochs", sweepOptions.epochs, "Override every configuration's epochs")
      ->check(CLI::PositiveNumber);
  sweep->add_option("--model", sweepOptions.model,
                    "Override every configuration's model: a Hugging Face directory or "
                    "preset:NAME");
  sweep->add_option("--device", sweepOptions.device,
                    "Override every configuration's device: cpu, cuda, cuda:N or auto (not part "
                    "of a run's configuration: a sweep may continue on another device)");
  sweep->add_option("--baseline", sweepOptions.baseline, "Override the set's baseline");
  addNumber(sweep, "--resamples", sweepOptions.bootstrapResamples, "Bootstrap resamples")
      ->check(CLI::PositiveNumber);
  addNumber(sweep, "--bootstrap-seed", sweepOptions.bootstrapSeed, "Bootstrap seed");

  crisp::cli::StatsOptions statsOptions;
  CLI::App* stats = addCommand(
      &app, "stats", "Statistics of finished runs: mean +- sd, paired tests against a baseline",
      "Per configuration (name, data and model: runs of other data or models are never taken for "
      "seeds) mean +- sample sd\nof the best dev accuracy and of the dev loss there; against the "
      "baseline on the same data and model, the mean\naccuracy difference over matched seeds "
      "with a hierarchical bootstrap CI (seeds, then the dev sentences they\nshare), a "
      "seed-stratified paired test with the sentence as the unit, and per seed the exact McNemar "
      "test.\nExamples:\n"
      "  crisp stats runs/crisp-small --format tex\n"
      "  crisp stats runs/shard0 runs/shard1 --json\n" +
          exitCodes);
  stats
      ->add_option("root", statsOptions.roots,
                   "Directories of run directories, merged (e.g. the roots of a sweep's shards "
                   "on several machines)")
      ->required();
  stats->add_option("--baseline", statsOptions.baseline,
                    "Baseline configuration (default: dense, else one with the dense policy, "
                    "else the first; one per data and model)");
  addNumber(stats, "--resamples", statsOptions.bootstrapResamples, "Bootstrap resamples")
      ->check(CLI::PositiveNumber);
  addNumber(stats, "--bootstrap-seed", statsOptions.bootstrapSeed, "Bootstrap seed");
  stats->add_flag("--include-unfinished", statsOptions.includeUnfinished,
                  "Also count stopped, failed or running runs (at their best evaluation so far)");
  CLI::Option* statsFormat =
      stats->add_option("--format", statsOptions.format, "What to print: md, csv or tex")
          ->check(CLI::IsMember({"md", "csv", "tex"}));
  stats
      ->add_flag("--json", statsOptions.json,
                 "Print the statistics as one JSON object (schema: docs/CLI.md)")
      ->excludes(statsFormat);
  stats->add_flag("--write", statsOptions.write,
                  "Also write statistics.{md,csv,tex} into the first ROOT");

  // --- reading a run or a model --------------------------------------------------------------
  // RUN_OR_MODEL is a run directory (its best checkpoint unless --checkpoint says otherwise) or
  // a Hugging Face model directory.
  const std::string referenceHelp =
      "A run directory (from crisp train) or a Hugging Face model directory (config.json, "
      "model.safetensors or pytorch_model.bin, vocab.txt)";
  const std::string checkpointHelp =
      "Which checkpoint of a run: best (the best dev accuracy; default), last, or a step number";

  crisp::cli::EvalOptions evalOptions;
  CLI::App* eval = addCommand(
      &app, "eval", "Evaluate a run or model on labelled data: accuracy, loss, F1, confusion",
      "Default data: the run's own dev data.\n"
      "Examples:\n"
      "  crisp eval runs/demo                          # best checkpoint on the run's dev set\n"
      "  crisp eval runs/demo --checkpoint last --json\n"
      "  crisp eval runs/sst2 --data ../shared/data/sst2/dev.tsv --predictions dev.jsonl\n"
      "  crisp eval ~/models/distilbert-sst2 --data reviews.csv\n"
      "Data: GLUE TSV (sentence<TAB>label, integer labels), CSV/TSV with named columns or JSON "
      "Lines whose labels are\nthe model's label names.\n" +
          exitCodes);
  eval->add_option("reference", evalOptions.reference, referenceHelp)->required();
  eval->add_option("--data", evalOptions.data, "Labelled data file (default: the run's dev data)");
  eval->add_option("--checkpoint", evalOptions.checkpoint, checkpointHelp);
  eval->add_option("--predictions", evalOptions.predictions,
                   "Also write one JSON line per row: line, text, label, predicted, correct, "
                   "probabilities");
  eval->add_flag("--json", evalOptions.json, "Print one JSON object instead of text");
  eval->add_flag("--allow-nonfinite", evalOptions.allowNonFinite, allowNonFiniteHelp);
  eval->add_option("--device", evalOptions.device, "Where to evaluate: cpu, cuda, cuda:N or auto");

  crisp::cli::PredictOptions predictOptions;
  CLI::App* predict = addCommand(
      &app, "predict", "Predict the labels of sentences (arguments, a file or standard input)",
      "Sentences: the arguments, the lines of --file, or else the lines of standard input (blank "
      "lines skipped;\nanswers stream as lines arrive).\n"
      "Examples:\n"
      "  crisp predict runs/demo \"the film was not good .\" \"the plot was predictable but never "
      "boring .\"\n"
      "  crisp predict runs/demo --file reviews.txt --json     # JSON Lines\n"
      "  echo \"honestly , the acting was never boring .\" | crisp predict runs/demo\n"
      "Text output: label<TAB>probability<TAB>sentence. Long sentences are truncated to the "
      "model's maximum length\n(noted in the output).\n" +
          exitCodes);
  predict->add_option("reference", predictOptions.reference, referenceHelp)->required();
  predict->add_option("text", predictOptions.texts, "Sentences (quote each one)");
  predict->add_option("--file", predictOptions.file, "One sentence per line (- for stdin)");
  predict->add_option("--checkpoint", predictOptions.checkpoint, checkpointHelp);
  predict->add_flag("--allow-nonfinite", predictOptions.allowNonFinite, allowNonFiniteHelp);
  predict->add_flag("--json", predictOptions.json,
                    "Print JSON Lines: one object per sentence, as it is read (text, label, "
                    "label_id, probabilities, tokens, truncated, line)");

  crisp::cli::InspectOptions inspectOptions;
  CLI::App* inspect = addCommand(
      &app, "inspect", "Show the attention a model gives one sentence, before and after pruning",
      "Per layer and head: the attention before and after the policy's pruning with the keep "
      "mask, the tokens and the prediction.\n"
      "Examples:\n"
      "  crisp inspect runs/demo-crisp \"the film was not good\"           # JSON on stdout\n"
      "  crisp inspect runs/demo-crisp \"the film was not good\" --format csv --out attn.csv\n"
      "  crisp inspect runs/demo-crisp \"the film was not good\" --format png --layer 1 --head 0 "
      "--out attn.png\n"
      "JSON: tokens, ids, prediction, logits, shape [layers, heads, T, T], before/after/keep "
      "arrays in that shape.\nCSV (long): layer,head,query,key,query_token,key_token,before,"
      "after,kept. PNG: rows are layers, columns heads,\neach cell before | after on one viridis "
      "scale (0 to the cell's max, shown by its colour bar), query\ntokens down the side, key "
      "tokens along the bottom, the sentence, model, policy and prediction\nabove; the layout "
      "and prediction also go to <out-stem>.tokens.json beside it. Layers and\nheads count from "
      "0.\n" +
          exitCodes);
  inspect->add_option("reference", inspectOptions.reference, referenceHelp)->required();
  inspect->add_option("sentence", inspectOptions.text, "The sentence")->required();
  inspect->add_option("--format", inspectOptions.format, "json, csv or png");
  addNumber(inspect, "--layer", inspectOptions.layer, "Only this layer (0-based; default: all)")
      ->check(CLI::NonNegativeNumber);
  addNumber(inspect, "--head", inspectOptions.head, "Only this head (0-based; default: all)")
      ->check(CLI::NonNegativeNumber);
  inspect->add_option("--out", inspectOptions.out, "Write to this file (png: required)");
  inspect->add_option("--checkpoint", inspectOptions.checkpoint, checkpointHelp);
  inspect->add_flag("--allow-nonfinite", inspectOptions.allowNonFinite, allowNonFiniteHelp);

  crisp::cli::ExportOptions exportOptions;
  CLI::App* exportRun = addCommand(
      &app, "export", "Write a run's checkpoint as a Hugging Face model directory",
      "config.json (architectures, problem_type, id2label, crisp_attention_policy), "
      "model.safetensors, the tokenizer\n(tokenizer.json, tokenizer_config.json, "
      "special_tokens_map.json, vocab.txt) and a model card README.md.\ntransformers loads it "
      "with from_pretrained; a sparse policy comes as remote code (modeling_crisp.py):\n"
      "from_pretrained(DIR, trust_remote_code=True) then computes crisp's attention. crisp "
      "forward, eval,\npredict and inspect read it too.\n"
      "Examples:\n"
      "  crisp export runs/demo --out exported/demo\n"
      "  crisp export runs/sst2 --out exported/sst2-step900 --checkpoint 900\n"
      "  crisp export runs/sst2-bigbird --out exported/dense --attention dense\n" +
          exitCodes);
  exportRun->add_option("run", exportOptions.run, "Run directory")->required();
  exportRun->add_option("--out", exportOptions.out, "Directory to write")->required();
  exportRun->add_option("--checkpoint", exportOptions.checkpoint, checkpointHelp);
  exportRun->add_option("--attention", exportOptions.attention,
                        "Export with this policy instead of the run's (e.g. dense)");
  exportRun->add_flag("--force", exportOptions.force, "Write into a non-empty --out");
  exportRun->add_flag("--json", exportOptions.json, "Print a JSON summary");
  exportRun->add_flag("--allow-nonfinite", exportOptions.allowNonFinite, allowNonFiniteHelp);

  // --- lower level ---------------------------------------------------------------------------
  crisp::cli::ForwardOptions forwardOptions;
  CLI::App* forward =
      addCommand(&app, "forward", "Run a Hugging Face model directory on token ids; logits as JSON",
                 "Example:\n  crisp forward --model DIR --ids \"101,7592,102;101,2088,102\" "
                 "--attention crisp:0.8\n" +
                     exitCodes);
  forward->add_option("--model", forwardOptions.modelDir, "Hugging Face model directory")
      ->required();
  forward
      ->add_option("--ids", forwardOptions.ids,
                   "Token ids: rows separated by ';', ids by ',' (\"101,7592,102;101,102\"); "
                   "shorter rows are padded with the pad id")
      ->required();
  forward->add_option("--attention", forwardOptions.attention,
                      policyHelp + " (default: the model's own: an export's policy, else dense)");
  forward->add_flag("--no-diagonal", forwardOptions.noDiagonal,
                    "Remove the diagonal (a token attending to itself)");
  forward->add_flag("--with-attention", forwardOptions.withAttention,
                    "Add attention_pre/attention_post [layer][batch][head][query][key]");
  forward->add_flag("--with-hidden-states", forwardOptions.withHiddenStates,
                    "Add hidden_states [embeddings + each layer][batch][token][hidden]");
  forward->add_flag("--json", forwardOptions.json, "JSON output (the only one)");
  forward->add_flag("--allow-nonfinite", forwardOptions.allowNonFinite, allowNonFiniteHelp);

  crisp::cli::TokenizeOptions tokenizeOptions;
  CLI::App* tokenize = addCommand(
      &app, "tokenize", "Tokenise standard input: JSON Lines of tokens and ids",
      "One JSON object {\"tokens\", \"ids\"[, \"offsets\"]} per line of standard input.\n"
      "Example:\n  echo \"Hello, World!\" | crisp tokenize --tokenizer "
      "../shared/data/bert-base-uncased\n" +
          exitCodes);
  tokenize
      ->add_option("--tokenizer", tokenizeOptions.tokenizer,
                   "A WordPiece directory (vocab.txt, tokenizer_config.json) or vocab file, or a "
                   "SentencePiece .model")
      ->required();
  addNumber(tokenize, "--max-len", tokenizeOptions.maxLength,
            "Truncate to N ids per line ([CLS] and [SEP] included, [SEP] kept; 0: no limit)");
  tokenize->add_flag("--json", tokenizeOptions.json, "JSON Lines (the only output)");
  tokenize->add_flag("--offsets", tokenizeOptions.offsets,
                     "Add \"offsets\": each token's [begin, end) in bytes of the line's UTF-8 "
                     "([0, 0] for [CLS], [SEP])");

  // The options both training benchmarks share.
  const auto addTrainingBenchOptions = [&policyHelp](CLI::App* command, auto& options) {
    command->add_option("--preset", options.preset, "distilbert-base, small or tiny");
    addNumber(command, "--batch", options.batch, "Rows per step")->check(CLI::PositiveNumber);
    command->add_option("--attention", options.attention, policyHelp);
    command->add_flag("--json", options.json, "Print one JSON object instead of text");
    command->add_option("--device", options.device, "cpu, cuda, cuda:N or auto");
    command->add_option("--precision", options.precision, "fp32 or bf16 (mixed precision, CUDA)");
  };
  crisp::cli::TrainStepOptions trainStepOptions;
  crisp::cli::FlopsOptions flopsOptions;
  CLI::App* bench =
      addCommand(&app, "bench", "Benchmarks: train-step, train-throughput, flops", exitCodes);
  bench->require_subcommand(1);
  CLI::App* trainStep = addCommand(
      bench, "train-step",
      "Time forward + backward + AdamW steps of a preset model on random full-length rows",
      "Example:\n  crisp bench train-step --preset small --batch 32 --seq 64 --attention "
      "crisp:0.8 --json\n" +
          exitCodes);
  addTrainingBenchOptions(trainStep, trainStepOptions);
  addNumber(trainStep, "--seq", trainStepOptions.seq, "Tokens per row")->check(CLI::PositiveNumber);
  addNumber(trainStep, "--steps", trainStepOptions.steps, "Timed steps")
      ->check(CLI::PositiveNumber);
  addNumber(trainStep, "--warmup", trainStepOptions.warmup, "Untimed steps first")
      ->check(CLI::NonNegativeNumber);
  trainStep
      ->add_option("--optimizer", trainStepOptions.optimizer,
                   "AdamW implementation: fused (the trainer's: one pass on the CPU, ATen's fused "
                   "kernel on CUDA) or libtorch (torch::optim::AdamW, nine ATen ops per "
                   "parameter)")
      ->check(CLI::IsMember({"fused", "libtorch"}));
  crisp::cli::ThroughputOptions throughputOptions;
  CLI::App* throughput = addCommand(
      bench, "train-throughput",
      "Sentences/s of one epoch of the real trainer on the first N rows of a GLUE TSV",
      "Example:\n"
      "  crisp bench train-throughput --preset small --train ../shared/data/sst2/train.tsv \\\n"
      "      --tokenizer ../shared/data/bert-base-uncased --sentences 4096 --threads 2\n" +
          exitCodes);
  addTrainingBenchOptions(throughput, throughputOptions);
  throughput->add_option("--train", throughputOptions.trainData, "GLUE TSV (sentence, label)")
      ->required();
  throughput->add_option("--tokenizer", throughputOptions.tokenizer,
                         "Directory with vocab.txt (required with --preset)");
  throughput->add_option("--model", throughputOptions.model,
                         "A pretrained checkpoint to fine-tune instead of --preset (a Hugging "
                         "Face directory or a hub id in the cache)");
  addNumber(throughput, "--sentences", throughputOptions.sentences, "Rows to train on")
      ->check(CLI::PositiveNumber);
  addNumber(throughput, "--max-len", throughputOptions.maxLength, "Maximum tokens per row")
      ->check(CLI::Range(2, 512));
  addNumber(throughput, "--warmup-steps", throughputOptions.warmupSteps,
            "Steps left out of the rate")
      ->check(CLI::PositiveNumber);
  throughput->add_option("--batches-out", throughputOptions.batchesOut,
                         "Write the exact batches as JSON Lines (for bench/"
                         "train_throughput_pytorch.py)");
  CLI::App* flops =
      addCommand(bench, "flops", "Print the forward FLOPs per layer, dense against sparse policies",
                 "A Markdown table, or with --json one object (schema: docs/CLI.md).\n"
                 "Example:\n  crisp bench flops --preset distilbert-base --seq 128\n" +
                     exitCodes);
  flops->add_option("--preset", flopsOptions.preset, "distilbert-base, small or tiny");
  addNumber(flops, "--batch", flopsOptions.batch, "Rows")->check(CLI::PositiveNumber);
  addNumber(flops, "--seq", flopsOptions.seq, "Tokens per row")->check(CLI::PositiveNumber);
  flops->add_option("--attention", flopsOptions.policies, "Policies to compare");
  flops->add_flag("--json", flopsOptions.json, "Print one JSON object instead of Markdown");

  CLI::App* policies = addCommand(
      &app, "policies", "Explain the attention policy terms, their parameters and ranges");

  crisp::cli::InfoOptions infoOptions;
  CLI::App* info =
      addCommand(&app, "info", "Print versions, the BLAS actually loaded and the thread count");
  info->add_flag("--json", infoOptions.json, "Print one JSON object instead of text");
  info->add_flag("--measure", infoOptions.measureGemm,
                 "Also time a 1024x1024 float GEMM and print GFLOP/s");

  // Hidden from `crisp --help` (the package installs the scripts); README says how to use it.
  std::string completionShell;
  CLI::App* completion = addCommand(&app, "completion", "Print a shell completion script");
  completion->group("");
  completion->add_option("shell", completionShell, "bash or zsh")
      ->required()
      ->check(CLI::IsMember({"bash", "zsh"}));

  // Hidden as well: the package's manual page, generated at build time.
  CLI::App* manual = addCommand(&app, "manpage", "Print crisp's manual page (roff)");
  manual->group("");

  // After the commands: a command copies its parent's footer when it is created.
  app.footer(
      "`crisp COMMAND --help`: its options and examples. Exit codes: 0 ok, 1 failure at "
      "run time, 2 bad input.");

  if (argc < 2) {
    std::cerr << app.help();
    return 2;
  }
  try {
    app.parse(argc, argv);
    if (quietFlag && verboseFlag)
      throw CLI::ValidationError("--quiet and --verbose exclude each other");
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    // Any usage mistake exits 2, as scripts expect; a mistyped word gets a suggestion.
    if (!explainUnknownWord(app, std::cerr)) app.exit(e);
    return 2;
  }
  if (manual->parsed()) {
    std::cout << manPage(app, crisp::cli::versionLine());
    return 0;
  }
  if (completion->parsed()) {
    std::cout << (completionShell == "bash" ? bashCompletion(app) : zshCompletion(app));
    return 0;
  }
  crisp::cli::verbosity() = quietFlag     ? crisp::cli::Verbosity::Quiet
                            : verboseFlag ? crisp::cli::Verbosity::Verbose
                                          : crisp::cli::Verbosity::Normal;
  // `crisp train|resume --nproc N` outside torchrun: start N ranks of this same command.
  if ((train->parsed() || resume->parsed()) && nproc > 1 && !std::getenv("WORLD_SIZE")) {
    try {
      const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
      return crisp::dist::launchLocalRanks(self, std::vector<std::string>(argv + 1, argv + argc),
                                           nproc, distTimeout + 10);
    } catch (const std::exception& e) {
      std::cerr << "crisp: error: " << e.what() << "\n";
      return 1;
    }
  }
  crisp::ThreadChoice choice;
  try {
    choice = crisp::configureThreads(threads, std::nullopt);
  } catch (const std::exception& e) {
    std::cerr << "crisp: error: " << e.what() << "\n";  // e.g. CRISP_THREADS=zero
    return 2;
  }
  if (crisp::cli::verbose()) {
    std::cerr << "crisp: " << choice.count << " intra-op threads (from "
              << crisp::describe(choice.source) << "; " << choice.cpus.describe() << ")\n";
  }
  std::shared_ptr<crisp::GradientSynchronizer> synchronizer;
  try {
    if (train->parsed() || resume->parsed()) {
      const auto env = crisp::dist::LaunchEnvironment::fromEnvironment();
      if (env && nproc > 1 && nproc != env->worldSize) {
        std::cerr << "crisp: error: --nproc " << nproc << " but WORLD_SIZE=" << env->worldSize
                  << " (under torchrun, leave --nproc out)\n";
        return 2;
      }
      // Ranks sharing a machine share its cores (LOCAL_WORLD_SIZE: see resolveThreadCount).
      try {
        synchronizer = crisp::dist::joinFromEnvironment(
            std::chrono::milliseconds(static_cast<int64_t>(distTimeout * 1000)));
      } catch (const crisp::dist::PortTakenError& e) {
        std::cerr << "crisp: error: " << e.what() << "\n";
        return crisp::dist::kPortTakenExitCode;  // the --nproc launcher tries another port
      }
      trainOptions.synchronizer = synchronizer;
    }
    if (policies->parsed()) {
      std::cout << crisp::policyTermsHelp();
      return 0;
    }
    if (info->parsed()) return crisp::cli::runInfo(infoOptions, choice, std::cout, std::cerr);
    if (train->parsed()) {
      try {
        crisp::cli::resolveExperiment(
            trainOptions, [&](const std::string& flag) { return train->count(flag) > 0; });
      } catch (const std::exception& e) {
        std::cerr << "crisp train: error: " << e.what() << "\n";
        return 2;  // a bad experiment file is bad input
      }
      return crisp::cli::runTrain(trainOptions, std::cout, std::cerr);
    }
    if (sweep->parsed()) return crisp::cli::runSweep(sweepOptions, std::cout, std::cerr);
    if (stats->parsed()) return crisp::cli::runStats(statsOptions, std::cout, std::cerr);
    if (resume->parsed()) {
      return crisp::cli::runResume(resumeDirectory, resumeJson, std::cout, std::cerr,
                                   resumeOverrides, synchronizer);
    }
    if (eval->parsed()) return crisp::cli::runEval(evalOptions, std::cout, std::cerr);
    if (predict->parsed()) {
      return crisp::cli::runPredict(predictOptions, std::cin, std::cout, std::cerr);
    }
    if (inspect->parsed()) return crisp::cli::runInspect(inspectOptions, std::cout, std::cerr);
    if (exportRun->parsed()) return crisp::cli::runExport(exportOptions, std::cout, std::cerr);
    if (tokenize->parsed()) {
      return crisp::cli::runTokenize(tokenizeOptions, std::cin, std::cout, std::cerr);
    }
    if (forward->parsed()) return crisp::cli::runForward(forwardOptions, std::cout, std::cerr);
    if (trainStep->parsed()) {
      return crisp::cli::runTrainStepBench(trainStepOptions, std::cout, std::cerr);
    }
    if (throughput->parsed()) {
      return crisp::cli::runThroughputBench(throughputOptions, std::cout, std::cerr);
    }
    if (flops->parsed()) return crisp::cli::runFlopsTable(flopsOptions, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "crisp: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
