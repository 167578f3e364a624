#pragma once

// Content fingerprints of the files a run reads. A run records them beside the paths it was
// given, so that its record names its inputs by what they hold and not only by where they were:
// a moved checkout, or a cluster node that mounts the same data under another path, can still
// resume the run and compare it with its seeds. A 64-bit FNV-1a hash and the byte count: enough
// to tell apart different files, not a defence against files made to collide.
// No LibTorch, no Qt.

#include <nlohmann/json.hpp>
#include <string>

namespace crisp {

// "BYTES:HEX" — the file's size and the FNV-1a hash of its bytes, e.g. "1:af63dc4c8601ec8c" for
// a file holding "a". Repeated calls for an unchanged file (same size and modification time)
// read it once per process. Throws crisp::Error naming the file when it cannot be read.
std::string fileFingerprint(const std::string& path);

// A file's fingerprint (a string), or for a directory an object of the fingerprints of the
// regular files directly in it, by name (hidden files left out). Throws crisp::Error naming
// the path when it does not exist or cannot be read.
nlohmann::json pathFingerprint(const std::string& path);

// A pretrained model directory's: an object of the fingerprints of config.json and of the
// weights file the loader reads (model.safetensors, else pytorch_model.bin), by name.
nlohmann::json modelDirectoryFingerprint(const std::string& directory);

}  // namespace crisp
