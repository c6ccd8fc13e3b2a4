# R survey oracle for the profile's design model (ctc.profile.estimate + ctc.profile.baseline).
#
#   Rscript tests/oracle/profile_oracle.R [design.csv] [profile_oracle.json]
#
# For every case (design census/clusters, with or without strata, weighted or not,
# lonely-PSU rule, fpc at none, one or two stages) and every scope (each municipality,
# and the whole file with municipalities as strata), domain (overall, grade, gender,
# grade x gender) and indicator, on subset(des, <domain>):
#   svymean(na.rm=TRUE) estimate, SE and deff="replace"; degf(subset);
#   the svyciprop(method="logit") interval through svyglm(quasibinomial) converged to 1e-14;
#   the logit-scale test of the profile: svyglm(y ~ 1, offset = qlogis(p0), quasibinomial) t, df, p.
# Strata for the "clusters + strata" cases: schools 1-3 of a municipality are stratum A,
# 4-5 stratum B, school 6 stratum C (a lonely stratum). Unweighted = every weight 1.
# Numbers are printed with 17 significant digits; non-finite values become null.

suppressMessages(library(survey))
options(survey.adjust.domain.lonely = FALSE)

args <- commandArgs(trailingOnly = TRUE)
here <- tryCatch(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))),
                 error = function(e) ".")
csv <- if (length(args) >= 1) args[1] else file.path(here, "design.csv")
out <- if (length(args) >= 2) args[2] else file.path(here, "profile_oracle.json")

indicators <- c("y1", "y2", "y3")
p0 <- c(y1 = 0.3, y2 = 0.15, y3 = 0.05)
level <- 0.95

data_all <- read.csv(csv, stringsAsFactors = FALSE)
k <- as.integer(sub(".*s", "", data_all$school))
data_all$stratum <- ifelse(k <= 3, "A", ifelse(k <= 5, "B", "C"))
data_all$one <- 1

num <- function(x) {
  x <- unname(as.numeric(x))
  if (length(x) != 1 || !is.finite(x)) "null" else sprintf("%.17g", x)
}
str_json <- function(x) sprintf("\"%s\"", x)

make_design <- function(data, case, scope) {
  w <- if (case$weighted) ~weight else ~one
  if (case$design == "census")
    return(svydesign(id = ~1, strata = ~school, weights = w, data = data,
                     fpc = if (case$fpc == "one") ~school_pop else NULL))
  st <- if (case$strata) { if (scope == "all") ~interaction(municipality, stratum) else ~stratum }
        else { if (scope == "all") ~municipality else NULL }
  if (case$fpc == "two")
    return(svydesign(id = ~school + id, strata = st, weights = w, data = data, nest = TRUE,
                     fpc = ~pop_schools + school_pop))
  svydesign(id = ~school, strata = st, weights = w, data = data, nest = TRUE,
            fpc = if (case$fpc == "one") ~pop_schools else NULL)
}

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

tight <- function(y, sub, offset = NULL) {
  suppressWarnings(tryCatch(
    svyglm(as.formula(paste(y, "~ 1")), sub, family = quasibinomial, offset = offset,
           control = glm.control(epsilon = 1e-14, maxit = 100)),
    error = function(e) NULL))
}

one_result <- function(des, data, dom, y) {
  sub <- des[in_domain(data, dom), ]
  f <- as.formula(paste0("~", y))
  # R's multistage code fails for a domain of a single respondent (tapply over an empty
  # cluster list); such domains are written as null and skipped by the test
  m <- tryCatch(svymean(f, sub, na.rm = TRUE, deff = "replace"), error = function(e) NULL)
  if (is.null(m)) m <- structure(NA, var = matrix(NA), deff = NA, class = "svystat")
  fit <- tight(y, sub)
  ci <- if (is.null(fit)) c(NA, NA) else plogis(confint(fit, 1, level = level, method = "Wald", ddf = degf(sub)))
  answered <- sub[!is.na(sub$variables[[y]]), ]
  test <- if (is.null(fit)) NULL else tight(y, answered, offset = rep(qlogis(p0[[y]]), nrow(answered$variables)))
  co <- if (is.null(test) || is.null(fit)) rep(NA, 4) else summary(test, df.resid = degf(sub))$coefficients[1, ]
  sprintf(paste0("{\"grade\": %s, \"gender\": %s, \"indicator\": %s, \"estimate\": %s, \"se\": %s, \"deff\": %s, ",
                 "\"df\": %s, \"ci_low\": %s, \"ci_high\": %s, \"t\": %s, \"p\": %s}"),
          if (dom$grade == "all") str_json("all") else str_json(dom$grade), str_json(dom$gender), str_json(y),
          num(coef(m)), num(SE(m)), num(deff(m)), num(degf(sub)), num(ci[1]), num(ci[2]), num(co[3]), num(co[4]))
}

safe_result <- function(des, data, dom, y) {
  tryCatch(one_result(des, data, dom, y), error = function(e)
    sprintf("{\"grade\": %s, \"gender\": %s, \"indicator\": %s, \"failed\": true}",
            if (dom$grade == "all") str_json("all") else str_json(dom$grade), str_json(dom$gender), str_json(y)))
}

one_case <- function(case, scope) {
  options(survey.lonely.psu = case$lonely)
  data <- if (scope == "all") data_all else data_all[data_all$municipality == scope, ]
  des <- make_design(data, case, scope)
  results <- unlist(lapply(indicators, function(y) vapply(domain_list(data), function(dom) safe_result(des, data, dom, y), "")))
  sprintf(paste0("{\"scope\": %s, \"design\": %s, \"strata\": %s, \"weighted\": %s, \"lonely_psu\": %s, \"fpc\": %s, ",
                 "\"results\": [\n    %s]}"),
          str_json(scope), str_json(case$design), tolower(case$strata), tolower(case$weighted), str_json(case$lonely),
          str_json(case$fpc), paste(results, collapse = ",\n    "))
}

spec <- list(
  list(design = "census", strata = FALSE, weighted = TRUE, lonely = "adjust", fpc = "none"),
  list(design = "census", strata = FALSE, weighted = TRUE, lonely = "average", fpc = "none"),
  list(design = "census", strata = FALSE, weighted = TRUE, lonely = "certainty", fpc = "none"),
  list(design = "census", strata = FALSE, weighted = FALSE, lonely = "adjust", fpc = "none"),
  list(design = "census", strata = FALSE, weighted = FALSE, lonely = "average", fpc = "one"),
  list(design = "census", strata = FALSE, weighted = TRUE, lonely = "adjust", fpc = "one"),
  list(design = "clusters", strata = FALSE, weighted = TRUE, lonely = "adjust", fpc = "none"),
  list(design = "clusters", strata = FALSE, weighted = FALSE, lonely = "adjust", fpc = "none"),
  list(design = "clusters", strata = TRUE, weighted = TRUE, lonely = "adjust", fpc = "none"),
  list(design = "clusters", strata = TRUE, weighted = TRUE, lonely = "average", fpc = "none"),
  list(design = "clusters", strata = TRUE, weighted = FALSE, lonely = "certainty", fpc = "none"),
  list(design = "clusters", strata = FALSE, weighted = TRUE, lonely = "adjust", fpc = "one"),
  list(design = "clusters", strata = FALSE, weighted = TRUE, lonely = "adjust", fpc = "two"),
  list(design = "clusters", strata = TRUE, weighted = FALSE, lonely = "adjust", fpc = "two"))

cases <- list()
for (case in spec) for (scope in c("m1", "all")) cases[[length(cases) + 1]] <- one_case(case, scope)

json <- sprintf(paste0("{\"generator\": \"tests/oracle/profile_oracle.R\", \"r_version\": %s, \"survey_version\": %s,\n",
                       " \"level\": %s, \"p0\": {%s},\n \"cases\": [\n  %s]}\n"),
                str_json(R.version.string), str_json(as.character(packageVersion("survey"))), num(level),
                paste(sprintf("\"%s\": %s", names(p0), vapply(p0, num, "")), collapse = ", "),
                paste(unlist(cases), collapse = ",\n  "))
writeLines(json, out, sep = "")
cat("wrote", out, "with", length(cases), "cases\n")
