#pragma once

// crisp's manual page (roff, section 1), generated from its CLI11 model like the completion
// scripts: every command with its summary, details, examples and options with their defaults.

#include <CLI/CLI.hpp>

#include <string>

std::string manPage(const CLI::App& app, const std::string& version);
