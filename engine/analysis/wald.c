/* wald.c: Wald tests of linear hypotheses on the parameters (DESIGN §4),
 * the test PROC TRAJ users know as %TRAJTEST. An expression is parsed into
 * rows of R psi = r, one per equation, moving every term to the left:
 *   equation := side '=' side;   side := ['+'|'-'] term (('+'|'-') term)*
 *   term := number | [number '*'] name
 * and the statistic is chi2 = (R psi - r)' (R V R')^-1 (R psi - r). Every
 * number must be finite, and so must the statistic: a test never answers
 * with an infinite chi-square or a NaN p-value. */
#include <ctype.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "fit/fit_result.h"
#include "fit/glm.h"

#define MAX_EQUATIONS 64

typedef struct parser {
  const char *expr, *at;
  const gbtm_fit_result *res;
  int P;
  gbtm_error *err;
} parser;

static void skip(parser *ps) {
  while (isspace((unsigned char)*ps->at)) ps->at++;
}

static gbtm_status fail_at(parser *ps, const char *what) {
  return gbtm_fail(ps->err, GBTM_ERR_USAGE, "test \"%s\": at column %d: %s", ps->expr,
                   (int)(ps->at - ps->expr) + 1, what);
}

/* A parameter name at ps->at: its index, or -1. */
static int name_index(parser *ps) {
  const char *s = ps->at;
  size_t len = 0;
  while (s[len] && (isalnum((unsigned char)s[len]) || s[len] == '[' || s[len] == ']' || s[len] == '_')) len++;
  for (int j = 0; j < ps->P; j++) {
    const char *name = gbtm_fit_result_param_name(ps->res, j);
    if (strlen(name) == len && strncmp(name, s, len) == 0) {
      ps->at += len;
      return j;
    }
  }
  return -1;
}

/* Where the name at ps->at is the family's own parameter in the form the
 * model does not have (indexed where the groups share it, bare where each
 * group has its own), says which form it has; true when it did. */
static bool own_parameter_hint(parser *ps) {
  const gbtm_model *m = gbtm_fit_result_model(ps->res);
  const char *phi = gbtm_family_phi_name(gbtm_model_family(m));
  size_t n = phi ? strlen(phi) : 0;
  if (!phi || strncmp(ps->at, phi, n) != 0 || isalnum((unsigned char)ps->at[n]) || ps->at[n] == '_') return false;
  char what[160];
  if (gbtm_model_phi_common(m))
    snprintf(what, sizeof what, "the groups share one %s: name it %s, without a group", phi, phi);
  else
    snprintf(what, sizeof what, "each group has its own %s: name it %s[k], k from 1 to %d", phi, phi,
             gbtm_model_groups(m));
  if (ps->at[n] == '[' && gbtm_model_phi_common(m)) return fail_at(ps, what), true;
  if (ps->at[n] != '[' && !gbtm_model_phi_common(m)) return fail_at(ps, what), true;
  return false;
}

/* Adds sign * side into row (coefficients) and rhs (constant moved right). */
static gbtm_status parse_side(parser *ps, double sign, double *row, double *rhs) {
  bool first = true;
  for (;;) {
    skip(ps);
    double s = sign;
    if (*ps->at == '+' || *ps->at == '-') {
      if (*ps->at == '-') s = -s;
      ps->at++;
      skip(ps);
    } else if (!first) {
      return GBTM_OK;
    }
    first = false;
    double coef = 1.0;
    bool have_number = false;
    if (isdigit((unsigned char)*ps->at) || *ps->at == '.') {
      char *end;
      coef = strtod(ps->at, &end);
      if (memchr(ps->at, 'x', (size_t)(end - ps->at)) || memchr(ps->at, 'X', (size_t)(end - ps->at)))
        return fail_at(ps, "a hexadecimal number (expected a decimal number)");
      if (!isfinite(coef)) return fail_at(ps, "the number is too large for a double (expected a finite number)");
      ps->at = end;
      have_number = true;
      skip(ps);
      if (*ps->at == '*') {
        ps->at++;
        skip(ps);
      } else {
        *rhs -= s * coef; /* a constant term */
        continue;
      }
    }
    int j = name_index(ps);
    if (j < 0 && own_parameter_hint(ps)) return GBTM_ERR_USAGE;
    if (j < 0) return fail_at(ps, have_number ? "expected a parameter name after '*'"
                                              : "expected a number or a parameter name (e.g. beta[2][1])");
    row[j] += s * coef;
  }
}

/* True when an equation's coefficients and constant are finite numbers
 * (their sums can overflow where each number did not). */
static bool finite_equation(const double *row, size_t P, double rhs) {
  for (size_t j = 0; j < P; j++)
    if (!isfinite(row[j])) return false;
  return isfinite(rhs);
}

/* True when the m rows of R (m x P) are linearly independent: modified
 * Gram-Schmidt, a row counting as dependent when what is left of it after
 * removing the earlier rows' directions is below 1e-9 of its length. Checked
 * on R itself, since a Cholesky of R V R' can pass on rounding error. */
static bool rows_independent(const double *R, int m, size_t P) {
  double *Q = malloc((size_t)m * P * sizeof *Q);
  if (!Q) return false;
  bool ok = true;
  for (int a = 0; a < m && ok; a++) {
    double *q = Q + (size_t)a * P, len = 0.0, left = 0.0;
    memcpy(q, R + (size_t)a * P, P * sizeof *q);
    for (size_t j = 0; j < P; j++) len += q[j] * q[j];
    for (int b = 0; b < a; b++) {
      const double *u = Q + (size_t)b * P;
      double dot = 0.0;
      for (size_t j = 0; j < P; j++) dot += q[j] * u[j];
      for (size_t j = 0; j < P; j++) q[j] -= dot * u[j];
    }
    for (size_t j = 0; j < P; j++) left += q[j] * q[j];
    ok = len > 0.0 && left > 1e-18 * len;
    for (size_t j = 0; ok && j < P; j++) q[j] /= sqrt(left);
  }
  free(Q);
  return ok;
}

gbtm_status gbtm_wald_test(const gbtm_fit_result *res, gbtm_se_kind kind, const char *expr,
                           double *chi2, int *df, double *p_value, gbtm_error *err) {
  *chi2 = *p_value = NAN;
  *df = 0;
  const double *V = gbtm_fit_result_covariance(res, kind);
  if (!V) return gbtm_fail(err, GBTM_ERR_DATA, "no covariance for a Wald test: %s",
                           *gbtm_fit_result_inference_note(res) ? gbtm_fit_result_inference_note(res)
                                                                 : "standard errors were not computed");
  parser ps = {expr, expr, res, res->summary.n_params, err};
  size_t P = (size_t)ps.P;
  double *R = calloc(MAX_EQUATIONS * P, sizeof *R), r[MAX_EQUATIONS] = {0};
  if (!R) return gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory");
  int m = 0;
  gbtm_status st = GBTM_OK;
  for (;;) {
    skip(&ps);
    if (!*ps.at) break;
    if (m == MAX_EQUATIONS) {
      st = fail_at(&ps, "too many equations");
      break;
    }
    double *row = R + (size_t)m * P;
    if ((st = parse_side(&ps, 1.0, row, &r[m])) != GBTM_OK) break;
    skip(&ps);
    if (*ps.at != '=') {
      st = fail_at(&ps, "expected '='");
      break;
    }
    ps.at++;
    if ((st = parse_side(&ps, -1.0, row, &r[m])) != GBTM_OK) break;
    if (!finite_equation(row, P, r[m])) {
      st = gbtm_fail(err, GBTM_ERR_USAGE, "test \"%s\": equation %d: its numbers add up past the largest double "
                     "(expected finite coefficients)", expr, m + 1);
      break;
    }
    m++;
    skip(&ps);
    if (*ps.at == ',' || *ps.at == ';') ps.at++;
    else if (*ps.at) {
      st = fail_at(&ps, "expected ',' or the end");
      break;
    }
  }
  if (st == GBTM_OK && m == 0) st = gbtm_fail(err, GBTM_ERR_USAGE, "test \"%s\": no equation", expr);
  for (int a = 0; st == GBTM_OK && a < m; a++) /* a parameter on the boundary has no standard error */
    for (size_t j = 0; st == GBTM_OK && j < P; j++)
      if (R[(size_t)a * P + j] != 0.0 && gbtm_fit_result_on_boundary(res, (int)j))
        st = gbtm_fail(err, GBTM_ERR_USAGE,
                       "test \"%s\": %s is on the boundary of the parameter space (a zero inflation held at 0), "
                       "where it has no standard error and a Wald test does not apply",
                       expr, res->names[j]);
  double *RV = NULL, *M = NULL, d[MAX_EQUATIONS], x[MAX_EQUATIONS];
  if (st == GBTM_OK && !rows_independent(R, m, P))
    st = gbtm_fail(err, GBTM_ERR_USAGE, "test \"%s\": the equations are not independent (or test nothing)", expr);
  if (st == GBTM_OK) {
    RV = calloc((size_t)m * P, sizeof *RV);
    M = calloc((size_t)m * (size_t)m, sizeof *M);
    if (!RV || !M) st = gbtm_fail(err, GBTM_ERR_NOMEM, "out of memory");
  }
  if (st == GBTM_OK) {
    const double *psi = res->psi;
    for (int a = 0; a < m; a++) {
      d[a] = -r[a];
      for (size_t j = 0; j < P; j++) d[a] += R[a * P + j] * psi[j];
      for (size_t j = 0; j < P; j++)
        for (size_t l = 0; l < P; l++) RV[a * P + j] += R[a * P + l] * V[l * P + j];
    }
    for (int a = 0; a < m; a++)
      for (int b = 0; b < m; b++)
        for (size_t j = 0; j < P; j++) M[b * m + a] += RV[a * P + j] * R[b * P + j];
    memcpy(x, d, (size_t)m * sizeof *x);
    if (glm_cholesky_solve(m, M, x) != 0) {
      st = gbtm_fail(err, GBTM_ERR_USAGE,
                     "test \"%s\": the equations are not independent (or test nothing)", expr);
    } else {
      double stat = 0.0;
      for (int a = 0; a < m; a++) stat += d[a] * x[a];
      if (!isfinite(stat)) {
        st = gbtm_fail(err, GBTM_ERR_USAGE,
                       "test \"%s\": the chi-square statistic overflows (a number in the test is far too large "
                       "for the parameters' scale)", expr);
      } else {
        *chi2 = stat;
        *df = m;
        *p_value = gsl_cdf_chisq_Q(stat, m);
      }
    }
  }
  free(R), free(RV), free(M);
  return st;
}
