/* simulate_profiles.c: the person characteristics of the built-in cohort
 * "rapporteur-2024-profiles" (gbtm_preset_persons, include/gbtm_presets.h;
 * DESIGN §6, simulate.*). The cohort's panel is rapporteur-2024's, drawn
 * by gbtm_simulate() with the same seed; the characteristics below are
 * SYNTHETIC, drawn given each person's true group only (so that, given the
 * group, they are independent of the counts: the assumption under which
 * groups are profiled), from a random stream of their own,
 * seed_stream(seed, PROFILE_SALT, 0), so that drawing them or not leaves
 * the panel as it is.
 *
 * Calibrated to the published figures of the National Rapporteur's 2024
 * study (datasets/refdata/README.md) where it gives them; the rest are
 * assumptions, chosen plausible and listed in docs/manual.md. Groups:
 * 1 incidental (36%), 2 early peak (28%), 3 late peak (21%), 4 continuous
 * (15%), the shares pi_k of the preset's model.
 *
 * Published figure -> how it is met (the starred share is solved from the
 * figure, the others are assumptions):
 * - 94% are adults at their first trafficking offence: minors' shares
 *   m_k = 0.02, 0.12, 0.05, m_4* with sum_k pi_k m_k = 0.06;
 * - 52% of those adults are under 25: u_k = 0.30, 0.80, 0.45, u_4* with
 *   sum_k pi_k (1 - m_k) u_k = 0.52 * 0.94;
 * - incidental: mean age 30.4 at the first trafficking offence: the age is
 *   uniform in [12, 18) for a minor, [18, 25) for an adult under 25 and
 *   [25, 25 + w_k) above, cut down to a tenth of a year (which lowers the
 *   mean by 0.05); w_1* solves
 *   m_1 15 + (1 - m_1)(u_1 21.5 + (1 - u_1)(25 + w_1 / 2)) = 30.4 + 0.05;
 *   w_k = 10, 15, 15 for the other groups;
 * - incidental: 29% start their career with trafficking: s_k = 0.29, 0.04,
 *   0.10, 0.03;
 * - 65% commit their first offence as a minor: P(minor | k) = p_k with
 *   p_k = p_1*, 0.90, 0.70, 0.80 and sum_k pi_k p_k = 0.65. A person whose
 *   first trafficking offence came before 18 was a minor at the first
 *   offence; one whose career starts with an adult trafficking offence was
 *   not; the others were with probability
 *   q_k = (p_k - m_k) / ((1 - m_k)(1 - s_k)), so P(minor | k) = p_k;
 * - incidental: 24% women: female_k = 0.24, 0.15, 0.12, 0.08;
 * - reoffending within five years, 9% overall, higher for continuous
 *   offenders: r_k = 0.04, 0.08, 0.10, r_4* with sum_k pi_k r_k = 0.09.
 * Risk factors (the study's contrasts: continuous offenders have the most,
 * incidental the fewest, early peak more family and school problems;
 * shares assumed): mental_health 0.15, 0.30, 0.25, 0.40; unstable_family
 * 0.20, 0.50, 0.30, 0.45; criminal_environment 0.15, 0.35, 0.35, 0.55;
 * no_qualification 0.25, 0.60, 0.40, 0.55 (expected counts 0.75, 1.75,
 * 1.30, 1.95); income log-normal with medians 24000, 13000, 17000, 11000
 * euros and sigma 0.5, rounded to 100 euros. */
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>
#include <string.h>

#include "base/error.h"
#include "base/seeds.h"
#include "gbtm_presets.h"
#include "model/model.h"

#define PROFILE_PRESET "rapporteur-2024-profiles"
#define PROFILE_SALT 0x70726F66696C6573ULL /* "profiles" */
#define PROFILE_GROUPS 4

/* The published figures. */
#define TARGET_ADULT 0.94         /* adults at the first trafficking offence */
#define TARGET_ADULT_UNDER25 0.52 /* of those, under 25 */
#define TARGET_INCIDENTAL_AGE 30.4
#define TARGET_MINOR_FIRST 0.65 /* first offence as a minor */
#define TARGET_REOFFEND 0.09

/* What a person's draws need per group. */
typedef struct profile_par {
  double female, minor, under25, width, starts, minor_first, minor_other;
  double risk[4]; /* mental_health, unstable_family, criminal_environment, no_qualification */
  double income_median, reoffend;
} profile_par;

static const profile_par assumed[PROFILE_GROUPS] = {
    /* incidental: minor_first and width solved below */
    {0.24, 0.02, 0.30, 0.0, 0.29, 0.0, 0.0, {0.15, 0.20, 0.15, 0.25}, 24000.0, 0.04},
    /* early peak */
    {0.15, 0.12, 0.80, 10.0, 0.04, 0.90, 0.0, {0.30, 0.50, 0.35, 0.60}, 13000.0, 0.08},
    /* late peak */
    {0.12, 0.05, 0.45, 15.0, 0.10, 0.70, 0.0, {0.25, 0.30, 0.35, 0.40}, 17000.0, 0.10},
    /* continuous: minor, under25 and reoffend solved below */
    {0.08, 0.0, 0.0, 15.0, 0.03, 0.80, 0.0, {0.40, 0.45, 0.55, 0.55}, 11000.0, 0.0},
};

static bool is_prob(double p) { return p >= 0.0 && p <= 1.0; }

/* The parameters of the top comment, the starred ones solved from the
 * published figures with the shares pi; false if one falls outside its range. */
static bool calibrate(const double *pi, profile_par *par) {
  memcpy(par, assumed, sizeof assumed);
  profile_par *inc = &par[0], *con = &par[3];
  double sum = 0.0;
  for (int k = 0; k < 3; k++) sum += pi[k] * par[k].minor;
  con->minor = ((1.0 - TARGET_ADULT) - sum) / pi[3];
  sum = 0.0;
  for (int k = 0; k < 3; k++) sum += pi[k] * (1.0 - par[k].minor) * par[k].under25;
  con->under25 = (TARGET_ADULT_UNDER25 * TARGET_ADULT - sum) / (pi[3] * (1.0 - con->minor));
  sum = 0.0;
  for (int k = 1; k < 4; k++) sum += pi[k] * par[k].minor_first;
  inc->minor_first = (TARGET_MINOR_FIRST - sum) / pi[0];
  sum = 0.0;
  for (int k = 0; k < 3; k++) sum += pi[k] * par[k].reoffend;
  con->reoffend = (TARGET_REOFFEND - sum) / pi[3];
  /* mean of the cut-down age = TARGET + 0.05 */
  double adult_mean = (TARGET_INCIDENTAL_AGE + 0.05 - inc->minor * 15.0) / (1.0 - inc->minor);
  inc->width = 2.0 * ((adult_mean - inc->under25 * 21.5) / (1.0 - inc->under25) - 25.0);
  bool ok = inc->width > 0.0;
  for (int k = 0; k < PROFILE_GROUPS; k++) {
    profile_par *p = &par[k];
    p->minor_other = (p->minor_first - p->minor) / ((1.0 - p->minor) * (1.0 - p->starts));
    ok = ok && is_prob(p->minor) && is_prob(p->under25) && is_prob(p->minor_first) && is_prob(p->minor_other) &&
         is_prob(p->reoffend);
  }
  return ok;
}

static int flag(gsl_rng *rng, double p) { return gsl_rng_uniform(rng) < p; }

/* One person of a group with parameters p, in a fixed order of draws. */
static void draw_person(gsl_rng *rng, const profile_par *p, gbtm_preset_person *o) {
  o->female = flag(rng, p->female);
  double piece = gsl_rng_uniform(rng), u = gsl_rng_uniform(rng), age;
  bool minor = piece < p->minor;
  if (minor) age = 12.0 + 6.0 * u;
  else if (gsl_rng_uniform(rng) < p->under25) age = 18.0 + 7.0 * u;
  else age = 25.0 + p->width * u;
  o->age_first_trafficking = floor(age * 10.0) / 10.0;
  o->starts_with_trafficking = flag(rng, p->starts);
  int other = flag(rng, p->minor_other);
  o->first_offence_minor = minor ? 1 : o->starts_with_trafficking ? 0 : other;
  o->mental_health = flag(rng, p->risk[0]);
  o->unstable_family = flag(rng, p->risk[1]);
  o->criminal_environment = flag(rng, p->risk[2]);
  o->no_qualification = flag(rng, p->risk[3]);
  o->income = 100.0 * round(p->income_median * exp(gsl_ran_gaussian_ziggurat(rng, 0.5)) / 100.0);
  o->reoffend_5y = flag(rng, p->reoffend);
}

bool gbtm_preset_has_persons(const char *name) { return name && strcmp(name, PROFILE_PRESET) == 0; }

gbtm_status gbtm_preset_persons(const char *name, size_t n, uint64_t seed, const int *group,
                                gbtm_preset_person *out, gbtm_error *err) {
  gbtm_model m;
  gbtm_sim_design d;
  if (!gbtm_preset_has_persons(name) || !model_preset(name, n, seed, &m, &d))
    return gbtm_fail(err, GBTM_ERR_USAGE, "the preset \"%s\" has no person characteristics", name ? name : "");
  double pi[GBTM_MAX_GROUPS];
  gbtm_model_shares(&m, pi);
  profile_par par[PROFILE_GROUPS];
  if (m.groups != PROFILE_GROUPS || !calibrate(pi, par))
    return gbtm_fail(err, GBTM_ERR_INTERNAL, "%s: the calibration has a probability outside [0, 1]", name);
  for (size_t i = 0; i < n; i++)
    if (group[i] < 0 || group[i] >= PROFILE_GROUPS)
      return gbtm_fail(err, GBTM_ERR_USAGE, "%s: person %zu has group %d (0 to %d)", name, i + 1, group[i],
                       PROFILE_GROUPS - 1);
  gsl_rng *rng = gsl_rng_alloc(gsl_rng_mt19937);
  if (!rng) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory");
  gsl_rng_set(rng, seed_stream(seed, PROFILE_SALT, 0));
  for (size_t i = 0; i < n; i++) draw_person(rng, &par[group[i]], &out[i]);
  gsl_rng_free(rng);
  return GBTM_OK;
}
