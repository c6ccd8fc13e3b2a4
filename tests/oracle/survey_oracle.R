# R survey oracle for ctc.stats (design-based prevalences).
#
#   Rscript tests/oracle/survey_oracle.R [design.csv] [survey_oracle.json]
#
# Needs Debian's r-base-core and r-cran-survey. Reads the synthetic design written by
# make_design.py and writes, for every case (scope x design variant x lonely-PSU rule x
# fpc) and every domain (overall, grade, gender, grade x gender) and indicator:
#   svymean(..., na.rm=TRUE) estimate and SE on subset(des, <domain>),
#   the same from svyby(~y, ~by, des, svymean, na.rm=TRUE) for the by-tables,
#   degf(subset), svyciprop(method="logit") limits (also recomputed through the same svyglm path
#   with a tight convergence criterion) and svyttest(I(y - p0) ~ 0) t, df, p.
# Numbers are printed with 17 significant digits; non-finite values become null.

suppressMessages(library(survey))

args <- commandArgs(trailingOnly = TRUE)
here <- tryCatch(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))),
                 error = function(e) ".")
csv <- if (length(args) >= 1) args[1] else file.path(here, "design.csv")
out <- if (length(args) >= 2) args[2] else file.path(here, "survey_oracle.json")

indicators <- c("y1", "y2", "y3")
p0 <- c(y1 = 0.3, y2 = 0.15, y3 = 0.05)
level <- 0.95

data_all <- read.csv(csv, stringsAsFactors = FALSE)
data_all$pop_schools_all <- 20   # schools in the population when the whole file is one cluster sample

num <- function(x) {
  x <- unname(as.numeric(x))
  if (length(x) != 1 || !is.finite(x)) "null" else sprintf("%.17g", x)
}
str_json <- function(x) sprintf("\"%s\"", x)

make_design <- function(data, variant, fpc, scope) {
  switch(variant,
    strata = svydesign(id = ~1, strata = ~school, weights = ~weight, data = data,
                       fpc = if (fpc) ~school_pop else NULL),
    clusters = svydesign(id = ~school, weights = ~weight, data = data,
                         fpc = if (fpc) { if (scope == "all") ~pop_schools_all else ~pop_schools } else NULL),
    strat_clusters = svydesign(id = ~school, strata = ~municipality, weights = ~weight, data = data,
                               nest = TRUE, fpc = if (fpc) ~pop_schools else NULL))
}

# domains: overall, by grade, by gender, by grade x gender ("all" = pooled)
domain_list <- function(data) {
  g <- sort(unique(data$grade)); s <- sort(unique(data$gender))
  c(list(list(grade = "all", gender = "all")),
    lapply(g, function(x) list(grade = x, gender = "all")),
    lapply(s, function(x) list(grade = "all", gender = x)),
    unlist(lapply(g, function(x) lapply(s, function(y) list(grade = x, gender = y))), recursive = FALSE))
}

in_domain <- function(data, dom) {
  (dom$grade == "all" | data$grade == dom$grade) & (dom$gender == "all" | data$gender == dom$gender)
}

by_tables <- function(des, y) {
  f <- as.formula(paste0("~", y))
  list(grade = svyby(f, ~grade, des, svymean, na.rm = TRUE),
       gender = svyby(f, ~gender, des, svymean, na.rm = TRUE),
       grade_gender = svyby(f, ~grade + gender, des, svymean, na.rm = TRUE))
}

svyby_value <- function(tables, dom) {
  if (dom$grade == "all" && dom$gender == "all") return(c(NA, NA))
  if (dom$gender == "all") {
    b <- tables$grade; k <- as.character(dom$grade)
  } else if (dom$grade == "all") {
    b <- tables$gender; k <- dom$gender
  } else {
    b <- tables$grade_gender; k <- paste(dom$grade, dom$gender, sep = ".")
  }
  if (!(k %in% names(coef(b)))) return(c(NA, NA))
  i <- match(k, names(coef(b)))
  c(coef(b)[[i]], SE(b)[[i]])
}

one_result <- function(des, data, dom, y, tables) {
  sub <- des[in_domain(data, dom), ]
  f <- as.formula(paste0("~", y))
  m <- svymean(f, sub, na.rm = TRUE)
  ci <- suppressWarnings(tryCatch(attr(svyciprop(f, sub, method = "logit", level = level, na.rm = TRUE), "ci"),
                                  error = function(e) c(NA, NA)))
  # the same Wald interval as svyciprop(method="logit") but with the quasibinomial fit converged to
  # 1e-14 instead of glm's default 1e-8 (svyciprop's limits carry that IRLS error, ~1e-8 relative)
  fit <- suppressWarnings(tryCatch(svyglm(as.formula(paste(y, "~ 1")), sub, family = quasibinomial,
                                          control = glm.control(epsilon = 1e-14, maxit = 100)),
                                   error = function(e) NULL))
  tight <- if (is.null(fit)) c(NA, NA) else plogis(confint(fit, 1, level = level, method = "Wald", ddf = degf(sub)))
  tt <- tryCatch(suppressWarnings(svyttest(as.formula(sprintf("I(%s - %s) ~ 0", y, p0[[y]])), sub, na.rm = TRUE)),
                 error = function(e) list(statistic = NA, parameter = NA, p.value = NA))
  by <- svyby_value(tables, dom)
  sprintf(paste0("{\"grade\": %s, \"gender\": %s, \"indicator\": %s, \"estimate\": %s, \"se\": %s, ",
                 "\"svyby_estimate\": %s, \"svyby_se\": %s, \"df\": %s, \"ci_low\": %s, \"ci_high\": %s, ",
                 "\"ci_low_tight\": %s, \"ci_high_tight\": %s, \"t\": %s, \"t_df\": %s, \"t_p\": %s}"),
          if (dom$grade == "all") str_json("all") else dom$grade, str_json(dom$gender), str_json(y),
          num(coef(m)), num(SE(m)), num(by[1]), num(by[2]), num(degf(sub)), num(ci[1]), num(ci[2]), num(tight[1]), num(tight[2]),
          num(tt$statistic), num(tt$parameter), num(tt$p.value))
}

one_case <- function(scope, variant, lonely, fpc) {
  options(survey.lonely.psu = lonely)
  data <- if (scope == "all") data_all else data_all[data_all$municipality == scope, ]
  des <- make_design(data, variant, fpc, scope)
  results <- unlist(lapply(indicators, function(y) {
    tables <- by_tables(des, y)
    vapply(domain_list(data), function(dom) one_result(des, data, dom, y, tables), "")
  }))
  sprintf("{\"scope\": %s, \"variant\": %s, \"lonely_psu\": %s, \"fpc\": %s, \"degf\": %s, \"results\": [\n    %s]}",
          str_json(scope), str_json(variant), str_json(lonely), if (fpc) "true" else "false", num(degf(des)),
          paste(results, collapse = ",\n    "))
}

cases <- list()
for (scope in c("m1", "all")) for (fpc in c(FALSE, TRUE)) {
  for (lonely in c("adjust", "certainty")) cases[[length(cases) + 1]] <- one_case(scope, "strata", lonely, fpc)
  cases[[length(cases) + 1]] <- one_case(scope, "clusters", "adjust", fpc)
  if (scope == "all") cases[[length(cases) + 1]] <- one_case(scope, "strat_clusters", "adjust", fpc)
}

json <- sprintf(paste0("{\"generator\": \"tests/oracle/survey_oracle.R\", \"r_version\": %s, \"survey_version\": %s,\n",
                       " \"level\": %s, \"p0\": {%s},\n \"cases\": [\n  %s]}\n"),
                str_json(R.version.string), str_json(as.character(packageVersion("survey"))), num(level),
                paste(sprintf("\"%s\": %s", names(p0), vapply(p0, num, "")), collapse = ", "),
                paste(unlist(cases), collapse = ",\n  "))
writeLines(json, out, sep = "")
cat("wrote", out, "with", length(cases), "cases\n")
