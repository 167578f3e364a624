#pragma once

#include <functional>
#include <ostream>
#include <string>

namespace crisp {

// Writes `path` so that it either keeps its old content or has the complete new content, even
// after a crash or kill -9: write to a temporary file beside it, fsync, rename, fsync the
// directory. Throws crisp::Error naming the path on any failure (the temporary is removed).
void writeFileAtomically(const std::string& path, const std::function<void(std::ostream&)>& write);
void writeFileAtomically(const std::string& path, const std::string& content);

// fsync of a file or a directory; throws crisp::Error naming the path when it fails.
void syncToDisk(const std::string& path);

// A whole file's bytes; throws crisp::Error "PATH: cannot read" when it cannot.
std::string readWholeFile(const std::string& path);
// Copies a file's bytes to `to`, written atomically as above.
void copyFileAtomically(const std::string& from, const std::string& to);

}  // namespace crisp
