// crisp: the headless command line. Subcommands live in core/cli; this file only wires them.
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

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

  CLI11_PARSE(app, argc, argv);
  try {
    const crisp::ThreadChoice choice = crisp::configureThreads(threads, std::nullopt);
    if (info->parsed()) return crisp::cli::runInfo(infoOptions, choice, std::cout, std::cerr);
  } catch (const std::exception& e) {
    std::cerr << "crisp: error: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
