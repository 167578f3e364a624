// crisp: the headless command line. Subcommands live in core/cli; this file only wires them.
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

#include "core/cli/forward_command.h"
#include "core/cli/info_command.h"
#include "core/sys/error.h"
#include "core/sys/threads.h"

int main(int argc, char** argv) {
  CLI::App app{
      "crisp — fine-tune BERT-family classifiers with crisp (top-k) and SparseBERT "
      "attention, headless.\nRun `crisp <command> --help` for each command."};
  app.require_subcommand(1);
  std::optional<int> threads;
  app.add_option("--threads", threads,
                 "Intra-op threads (default: CRISP_THREADS, else the machine's cores)")
      ->check(CLI::Range(1, 1024));

  crisp::cli::InfoOptions infoOptions;
  CLI::App* info = app.add_subcommand(
      "info", "Print library versions, the BLAS actually loaded and the thread count");
  info->add_flag("--json", infoOptions.json, "Print one JSON object instead of text");
  info->add_flag("--measure", infoOptions.measureGemm,
                 "Also time a 1024x1024 float GEMM and print GFLOP/s");

  crisp::cli::ForwardOptions forwardOptions;
  CLI::App* forward = app.add_subcommand(
      "forward", "Run a Hugging Face model directory on token ids and print logits as JSON");
  forward->add_option("--model", forwardOptions.modelDir, "Hugging Face model directory")
      ->required();
  forward
      ->add_option("--ids", forwardOptions.ids,
                   "Token ids: rows separated by ';', ids by ',' (\"101,7592,102;101,102\"); "
                   "shorter rows are padded with the pad id")
      ->required();
  forward->add_option("--attention", forwardOptions.attention,
                      "Attention policy: dense, crisp:S, nodiag+crisp:S, window:W, ... "
                      "(default dense)");
  forward->add_flag("--no-diagonal", forwardOptions.noDiagonal,
                    "Remove the diagonal (a token attending to itself)");
  forward->add_flag("--with-attention", forwardOptions.withAttention,
                    "Add attention_pre/attention_post [layer][batch][head][query][key]");
  forward->add_flag("--json", forwardOptions.json, "JSON output (the default)");

  CLI11_PARSE(app, argc, argv);
  try {
    const crisp::ThreadChoice choice = crisp::configureThreads(threads, std::nullopt);
    if (info->parsed()) return crisp::cli::runInfo(infoOptions, choice, std::cout, std::cerr);
    if (forward->parsed()) return crisp::cli::runForward(forwardOptions, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "crisp: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
