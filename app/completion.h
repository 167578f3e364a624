#pragma once

// Shell completion for crisp, generated from its CLI11 model: the commands, their subcommands
// and options, so that the scripts never fall behind the flags.

#include <CLI/CLI.hpp>

#include <string>

// A bash completion script (for /usr/share/bash-completion/completions/crisp).
std::string bashCompletion(const CLI::App& app);

// A zsh completion function (for a directory on $fpath, as _crisp).
std::string zshCompletion(const CLI::App& app);
