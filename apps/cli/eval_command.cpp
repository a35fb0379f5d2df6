// `rein eval CHECKPOINT_OR_RUN`: loads a trained agent and reports its return over N episodes.
#include <CLI/CLI.hpp>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "apps/cli/commands.h"
#include "apps/cli/env_args.h"
#include "apps/cli/progress.h"
#include "envs/plugin.h"
#include "rl/checkpoint.h"
#include "rl/evaluate.h"
#include "session/checkpoints.h"

namespace rein::cli {
namespace {

struct EvalArgs {
  std::string target, db = default_db(), env;
  std::vector<std::string> plugins, env_args;
  int64_t episodes = 100;
  int64_t seed = 1'000'000;
  bool stochastic = false;
  bool json = false;
};

void run_eval(const EvalArgs& a) {
  session::PlayableAgent played = session::load_playable_agent(a.target, a.db, a.plugins, a.env);
  const session::ResolvedCheckpoint& ck = played.checkpoint;
  const rl::CheckpointInfo& info = played.info;
  rl::Agent& agent = *played.agent;
  rl::EvalOptions eo{.episodes = a.episodes,
                     .seed = static_cast<uint64_t>(a.seed),
                     .deterministic = !a.stochastic};
  // --env-arg overrides the env arguments the run was trained with (e.g. max_episode_steps=200
  // for an env without a time limit, whose evaluation would otherwise be cut at 100,000 steps).
  const envs::Kwargs kwargs = parse_env_args(a.env_args, info.env_kwargs);
  rl::EvalResult r = rl::evaluate(agent, info.env_id, kwargs, eo);
  double min = r.returns.front(), max = r.returns.front(), len = 0;
  for (double x : r.returns) {
    min = std::min(min, x);
    max = std::max(max, x);
  }
  for (int64_t l : r.lengths) len += static_cast<double>(l);
  if (a.json) {
    nlohmann::ordered_json out = {
        {"algorithm", info.algorithm},
        {"env", info.env_id},
        {"checkpoint", ck.path},
        {"run",
         ck.run_name.empty() ? nlohmann::ordered_json() : nlohmann::ordered_json(ck.run_name)},
        {"global_step", info.global_step},
        {"episodes", r.returns.size()},
        {"deterministic", !a.stochastic},
        {"mean_return", r.mean_return},
        {"std_return", r.std_return},
        {"min_return", min},
        {"max_return", max},
        {"mean_length", len / static_cast<double>(r.lengths.size())},
        {"success_rate",
         r.success_rate ? nlohmann::ordered_json(*r.success_rate) : nlohmann::ordered_json()},
        {"returns", r.returns},
        {"lengths", r.lengths},
        {"warning", r.warning}};
    std::cout << out.dump(2) << "\n";
    return;
  }
  std::printf("%s on %s, checkpoint at step %s%s%s\n", info.algorithm.c_str(), info.env_id.c_str(),
              format_count(info.global_step).c_str(), ck.run_name.empty() ? "" : " of run ",
              ck.run_name.c_str());
  std::printf(
      "%zu episodes (%s policy): mean return %.2f +- %.2f, min %.2f, max %.2f, "
      "mean length %.1f\n",
      r.returns.size(), a.stochastic ? "stochastic" : "deterministic", r.mean_return, r.std_return,
      min, max, len / static_cast<double>(r.lengths.size()));
  if (r.success_rate) std::printf("success rate %.3f\n", *r.success_rate);
  if (!r.warning.empty()) std::fprintf(stderr, "warning: %s\n", r.warning.c_str());
}

}  // namespace

void add_eval_command(CLI::App& app) {
  auto a = std::make_shared<EvalArgs>();
  CLI::App* cmd =
      app.add_subcommand("eval", "Evaluate a trained agent: rein eval CHECKPOINT_OR_RUN");
  cmd->add_option("checkpoint", a->target, "checkpoint file, or run name/id in --db")->required();
  cmd->add_option("--episodes", a->episodes, "episodes to run")->capture_default_str();
  cmd->add_option("--seed", a->seed, "seed of the evaluation envs")->capture_default_str();
  cmd->add_option("--db", a->db, "tracker database (to find a run's checkpoint)")
      ->capture_default_str();
  cmd->add_option("--plugin", a->plugins,
                  "load env plug-in LIB.so first (repeatable; default: the run's own plug-ins)");
  cmd->add_option("--env-arg", a->env_args,
                  "env argument key=value over the checkpoint's (repeatable), e.g. "
                  "max_episode_steps=200")
      ->type_name("K=V");
  cmd->add_option("--env", a->env,
                  "evaluate on this env id instead of the checkpoint's (needed for remote://)");
  cmd->add_flag("--stochastic", a->stochastic, "sample actions instead of the most likely one");
  cmd->add_flag("--json", a->json, "print the result as JSON (with every episode's return)");
  cmd->callback([a] { run_eval(*a); });
}

}  // namespace rein::cli
