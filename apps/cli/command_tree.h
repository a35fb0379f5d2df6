// What the CLI knows about its own command tree: "did you mean" for mistyped command words, and
// shell completion scripts generated from the same tree (`rein completion bash|zsh`).
#pragma once

#include <string>

namespace CLI {
class App;
}

namespace rein::cli {

// Checks the leading command words of argv (before the first option) against the tree. CLI11
// would report "rein trian" as an unexpected argument; this throws rein::Error instead:
// "unknown command 'trian' (did you mean 'train'?); commands: train, eval, ...".
void check_command_words(CLI::App& app, int argc, char** argv);

// A completion script for `shell` ("bash" or "zsh"; zsh through its bashcompinit) completing
// command words and each command's options; other words complete as file names. Throws
// rein::Error for another shell.
std::string completion_script(CLI::App& app, const std::string& shell);

// rein completion bash|zsh: prints the script (install: see its first lines).
void add_completion_command(CLI::App& app);

}  // namespace rein::cli
