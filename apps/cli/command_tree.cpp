// Command-word suggestions and shell completion, both walking the CLI11 command tree.
#include "apps/cli/command_tree.h"

#include <CLI/CLI.hpp>
#include <iostream>
#include <memory>

#include "base/error.h"
#include "rl/config.h"

namespace rein::cli {

namespace {

std::vector<CLI::App*> children(CLI::App& app) {
  return app.get_subcommands([](CLI::App*) { return true; });
}

bool takes_positionals(CLI::App& app) {
  for (const CLI::Option* o : app.get_options()) {
    if (!o->nonpositional()) return true;
  }
  return false;
}

// Every command path ("", "runs", "runs list", ...) with its words and options, depth first.
struct Node {
  std::string path;
  std::vector<std::string> words;  // subcommands and options offered after the path
};

void collect(CLI::App& app, const std::string& path, std::vector<Node>& out) {
  Node node{path, {}};
  for (CLI::App* c : children(app)) node.words.push_back(c->get_name());
  for (const CLI::Option* o : app.get_options()) {
    for (const std::string& name : o->get_lnames()) node.words.push_back("--" + name);
    for (const std::string& name : o->get_snames()) node.words.push_back("-" + name);
  }
  out.push_back(node);
  for (CLI::App* c : children(app)) {
    collect(*c, path.empty() ? c->get_name() : path + " " + c->get_name(), out);
  }
}

std::string join(const std::vector<std::string>& xs, const char* sep) {
  std::string out;
  for (const std::string& x : xs) out += (out.empty() ? "" : sep) + x;
  return out;
}

}  // namespace

void check_command_words(CLI::App& app, int argc, char** argv) {
  CLI::App* at = &app;
  std::string path;
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty() || word[0] == '-') return;  // options (and their values) are CLI11's
    std::vector<std::string> names;
    CLI::App* next = nullptr;
    for (CLI::App* c : children(*at)) {
      names.push_back(c->get_name());
      if (c->check_name(word)) next = c;
    }
    if (next == nullptr) {
      if (names.empty() || takes_positionals(*at)) return;  // an argument, not a command word
      const std::vector<std::string> close = rl::suggest(word, names, 1);
      const std::string prefix = path.empty() ? "" : path + " ";
      throw Error(str("unknown command '", prefix, word, "'",
                      close.empty() ? "" : str(" (did you mean '", prefix, close[0], "'?)"),
                      "; commands: ", join(names, ", "), ". See: rein ", prefix, "--help"));
    }
    path += (path.empty() ? "" : " ") + word;
    at = next;
  }
}

std::string completion_script(CLI::App& app, const std::string& shell) {
  if (shell != "bash" && shell != "zsh") {
    throw Error(str("completion: unknown shell '", shell, "' (expected bash or zsh)"));
  }
  std::vector<Node> nodes;
  collect(app, "", nodes);
  std::string s;
  if (shell == "zsh") {
    s += "# rein completion for zsh. Install: rein completion zsh > ~/.zfunc/_rein_bash &&\n"
         "# echo 'source ~/.zfunc/_rein_bash' >> ~/.zshrc   (or: source <(rein completion zsh))\n"
         "autoload -U +X bashcompinit && bashcompinit\n";
  } else {
    s += "# rein completion for bash. Install: rein completion bash > "
         "~/.local/share/bash-completion/completions/rein\n"
         "# (or for this shell only: source <(rein completion bash))\n";
  }
  // The command path is the words so far that name commands; other words (run names, env ids,
  // option values) are skipped, so completion continues after them.
  s += "_rein() {\n"
       "  local cur=\"${COMP_WORDS[COMP_CWORD]}\" path=\"\" w i words\n"
       "  for ((i = 1; i < COMP_CWORD; i++)); do\n"
       "    w=\"${COMP_WORDS[i]}\"\n"
       "    case \"$path|$w\" in\n";
  for (const Node& n : nodes) {
    if (n.path.empty()) continue;
    const std::size_t space = n.path.rfind(' ');
    const std::string parent = space == std::string::npos ? "" : n.path.substr(0, space);
    const std::string word = space == std::string::npos ? n.path : n.path.substr(space + 1);
    s += "      \"" + parent + "|" + word + "\") path=\"" + n.path + "\" ;;\n";
  }
  s += "    esac\n"
       "  done\n"
       "  case \"$path\" in\n";
  for (const Node& n : nodes) {
    s += "    \"" + n.path + "\") words=\"" + join(n.words, " ") + "\" ;;\n";
  }
  s += "  esac\n"
       "  COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n"
       "}\n"
       "complete -o default -F _rein rein\n";
  return s;
}

void add_completion_command(CLI::App& app) {
  auto shell = std::make_shared<std::string>();
  CLI::App* cmd =
      app.add_subcommand("completion", "Print a shell completion script: rein completion bash|zsh");
  cmd->add_option("shell", *shell, "bash or zsh")->required();
  cmd->footer(
      "bash: rein completion bash > ~/.local/share/bash-completion/completions/rein\n"
      "zsh:  echo 'source <(rein completion zsh)' >> ~/.zshrc");
  CLI::App* root = &app;
  cmd->callback([root, shell] { std::cout << completion_script(*root, *shell); });
}

}  // namespace rein::cli
