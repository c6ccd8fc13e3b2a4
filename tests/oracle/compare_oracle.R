# R survey oracle for ctc compare (ctc.compare.difference and ctc.compare.trend).
#
#   Rscript tests/oracle/compare_oracle.R [compare_design.csv] [compare_oracle.json] [compare_cohort_oracle.json]
#
# Input: tests/oracle/compare_design.csv (written by make_compare.py). For every case
# (design census / clusters / clusters with strata and fpc, weighted or not), every
# municipality and every domain (pooled, each grade, each gender; a missing gender is the
# level "(none)") and indicator, on the stacked design of the municipality's rows of the
# waves used (excluded questionnaires stay in the design and are outside every domain):
#   census:   svydesign(id = ~1, strata = ~interaction(wave, school))  (independent waves)
#   clusters: svydesign(id = ~school [, strata = ~stratum, fpc = ~pop_schools], nest = TRUE)
#             (a school in several waves is one PSU)
# * two waves (2022, 2024): svyttest(y ~ factor(wave), subset(des, domain & !is.na(y)))
#   estimate, t, df, p; svyby(~y, ~wave, svymean, covmat = TRUE) + svycontrast(c(-1, 1)) difference and SE;
#   svymean per wave;
# * three (2022-2026) and five (2018-2026) waves: svyglm(y ~ L + Q [+ factor(grade)]
#   [+ factor(gender)], quasibinomial) with L, Q = contr.poly(k, scores = years)[, 1:2],
#   converged to 1e-14; coefficient, SE, p of L and Q and the residual df. Adjustment levels
#   where nobody (or everybody) is flagged are left out first (their coefficient is infinite);
#   a domain with a wave where nobody (or everybody) is flagged has no finite trend (null).
# * pseudo-cohorts (third output, compare_cohort_oracle.json): every pair of the five waves
#   w1 < w2 with gap d = w2 - w1 and grade g with g + d among 6/8/10, on the stacked design of
#   the municipality's rows of w1 and w2: the domain "grade g in w1 or grade g + d in w2"
#   (genders pooled), svyttest(y ~ factor(wave), subset(des, domain & !is.na(y))) and
#   svyby + svycontrast(c(-1, 1)) as for two waves.
# Numbers with 17 significant digits; non-finite values become null.

suppressMessages(library(survey))
options(survey.adjust.domain.lonely = FALSE, survey.lonely.psu = "adjust")

args <- commandArgs(trailingOnly = TRUE)
here <- tryCatch(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))),
                 error = function(e) ".")
csv <- if (length(args) >= 1) args[1] else file.path(here, "compare_design.csv")
out <- if (length(args) >= 2) args[2] else file.path(here, "compare_oracle.json")
out_cohort <- if (length(args) >= 3) args[3] else file.path(here, "compare_cohort_oracle.json")

data_all <- read.csv(csv, stringsAsFactors = FALSE, na.strings = "NA")
data_all$gender[is.na(data_all$gender) | data_all$gender == ""] <- "(none)"
data_all$excluded <- as.logical(data_all$excluded)
data_all$one <- 1
indicators <- c("y1", "y2", "y3")

num <- function(x) {
  x <- unname(as.numeric(x))
  if (length(x) != 1 || !is.finite(x)) "null" else sprintf("%.17g", x)
}
obj <- function(fields) paste0("{", paste(sprintf("\"%s\": %s", names(fields), unlist(fields)), collapse = ", "), "}")
str_json <- function(x) sprintf("\"%s\"", x)

cases <- list(
  list(name = "census-weighted", design = "census", weighted = TRUE, strata = FALSE),
  list(name = "census-unweighted", design = "census", weighted = FALSE, strata = FALSE),
  list(name = "clusters-weighted", design = "clusters", weighted = TRUE, strata = FALSE),
  list(name = "clusters-unweighted", design = "clusters", weighted = FALSE, strata = FALSE),
  list(name = "clusters-strata-fpc-weighted", design = "clusters", weighted = TRUE, strata = TRUE)
)

make_design <- function(data, case) {
  w <- if (case$weighted) ~weight else ~one
  if (case$design == "census")
    return(svydesign(id = ~1, strata = ~interaction(wave, school), weights = w, data = data))
  if (case$strata)
    return(svydesign(id = ~school, strata = ~stratum, fpc = ~pop_schools, weights = w, data = data, nest = TRUE))
  svydesign(id = ~school, weights = w, data = data, nest = TRUE)
}

domains <- function(data) {
  g <- sort(unique(data$grade)); s <- sort(unique(data$gender))
  c(list(list(grade = "all", gender = "all")),
    lapply(g, function(x) list(grade = as.character(x), gender = "all")),
    lapply(s, function(x) list(grade = "all", gender = x)))
}
in_domain <- function(data, dom) {
  !data$excluded & (dom$grade == "all" | as.character(data$grade) == dom$grade) &
    (dom$gender == "all" | data$gender == dom$gender)
}

two_wave <- function(des, data, dom, y, keep = in_domain(data, dom)) {
  keep <- keep & !is.na(data[[y]])
  sub <- subset(des, keep)
  tt <- svyttest(as.formula(paste(y, "~ factor(wave)")), sub)
  by <- svyby(as.formula(paste0("~", y)), ~wave, sub, svymean, covmat = TRUE)
  con <- svycontrast(by, c(-1, 1))
  list(p_a = num(coef(by)[1]), p_b = num(coef(by)[2]), se_a = num(SE(by)[1]), se_b = num(SE(by)[2]),
       diff = num(coef(con)), se = num(SE(con)), ttest_estimate = num(tt$estimate), t = num(tt$statistic),
       df = num(tt$parameter), p = num(tt$p.value))
}

trend_fit <- function(des, data, dom, y) {
  keep <- in_domain(data, dom) & !is.na(data[[y]])
  adjust <- c(if (dom$grade == "all") "grade", if (dom$gender == "all") "gender")
  repeat {  # adjustment levels where nobody (everybody) is flagged are left out (separation)
    changed <- FALSE
    for (role in adjust) for (lv in unique(data[[role]][keep])) {
      yy <- data[[y]][keep & data[[role]] == lv]
      if (all(yy == 0) || all(yy == 1)) { keep <- keep & data[[role]] != lv; changed <- TRUE }
    }
    if (!changed) break
  }
  nulls <- list(linear = "null", linear_se = "null", linear_p = "null", quadratic = "null", quadratic_se = "null",
                quadratic_p = "null", df = "null")
  if (length(unique(data$wave[keep])) < 3) return(nulls)
  by_wave <- tapply(data[[y]][keep], data$wave[keep], mean)
  if (any(by_wave == 0 | by_wave == 1)) return(nulls)  # a wave where nobody (everybody) is flagged
  sub <- subset(des, keep)
  several <- function(role) length(unique(data[[role]][keep])) > 1
  rhs <- c("L", "Q", unlist(lapply(adjust, function(role) if (several(role)) sprintf("factor(%s)", role))))
  fit <- suppressWarnings(svyglm(as.formula(paste(y, "~", paste(rhs, collapse = " + "))), sub,
                                 family = quasibinomial, control = glm.control(epsilon = 1e-14, maxit = 100)))
  cf <- summary(fit)$coefficients
  if (!fit$converged || max(abs(coef(fit))) > 30) cf[] <- NA  # no finite trend (a wave without any flagged)
  list(linear = num(cf["L", 1]), linear_se = num(cf["L", 2]), linear_p = num(cf["L", 4]),
       quadratic = num(cf["Q", 1]), quadratic_se = num(cf["Q", 2]), quadratic_p = num(cf["Q", 4]),
       df = num(fit$df.residual))
}

rows <- character(0)
for (case in cases) {
  for (muni in sort(unique(data_all$municipality))) {
    for (waves in list(c(2022, 2024), c(2022, 2024, 2026), c(2018, 2020, 2022, 2024, 2026))) {
      data <- data_all[data_all$municipality == muni & data_all$wave %in% waves, ]
      if (length(waves) > 2) {
        cp <- contr.poly(length(waves), scores = waves)
        idx <- match(data$wave, waves)
        data$L <- cp[idx, 1]; data$Q <- cp[idx, 2]
      }
      des <- make_design(data, case)
      for (dom in domains(data)) for (y in indicators) {
        res <- if (length(waves) == 2) two_wave(des, data, dom, y) else trend_fit(des, data, dom, y)
        head <- list(case = str_json(case$name), municipality = str_json(muni), waves = length(waves),
                     grade = str_json(dom$grade), gender = str_json(dom$gender), indicator = str_json(y))
        rows <- c(rows, obj(c(head, res)))
      }
    }
  }
}
writeLines(c("[", paste(rows, collapse = ",\n"), "]"), out)
cat("wrote", length(rows), "results to", out, "\n")

# pseudo-cohorts: grade g in w1 against grade g + d in w2 (d = w2 - w1), genders pooled
all_waves <- c(2018, 2020, 2022, 2024, 2026)
grades <- c(6, 8, 10)
cohort_rows <- character(0)
for (case in cases) {
  for (muni in sort(unique(data_all$municipality))) {
    for (i in seq_along(all_waves)) for (w2 in all_waves[-seq_len(i)]) {
      w1 <- all_waves[i]
      gap <- w2 - w1
      data <- data_all[data_all$municipality == muni & data_all$wave %in% c(w1, w2), ]
      des <- make_design(data, case)
      for (g in grades[(grades + gap) %in% grades]) {
        keep <- !data$excluded & ((data$wave == w1 & data$grade == g) | (data$wave == w2 & data$grade == g + gap))
        for (y in indicators) {
          res <- two_wave(des, data, NULL, y, keep)
          head <- list(case = str_json(case$name), municipality = str_json(muni), wave_from = w1, wave_to = w2,
                       grade_from = g, grade_to = g + gap, indicator = str_json(y))
          cohort_rows <- c(cohort_rows, obj(c(head, res)))
        }
      }
    }
  }
}
writeLines(c("[", paste(cohort_rows, collapse = ",\n"), "]"), out_cohort)
cat("wrote", length(cohort_rows), "results to", out_cohort, "\n")
