# R survey on its own api data, for tests/profile/test_profile_api_vs_r.py (run at test time:
# the data ship with R survey under the GPL and are not committed).
#
#   Rscript tests/oracle/api_profile.R OUTDIR
#
# Writes OUTDIR/apiclus1.csv, apiclus2.csv, apistrat.csv (the columns the profile needs) and
# OUTDIR/api_oracle.json: for each case and domain (overall, and each school type as a
# "grade") and indicator (sw = sch.wide, awd = awards), svymean estimate, SE, deff="replace",
# degf(subset), the logit interval via svyglm converged to 1e-14, and the logit test against
# p0 (sw 0.8, awd 0.6) via svyglm(offset = qlogis(p0)).

suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")
data(api)
out <- commandArgs(TRUE)[1]
p0 <- c(sw = 0.8, awd = 0.6)
num <- function(x) { x <- unname(as.numeric(x)); if (length(x) != 1 || !is.finite(x)) "null" else sprintf("%.17g", x) }
prep <- function(d) {
  d$sw <- as.numeric(d$sch.wide == "Yes"); d$awd <- as.numeric(d$awards == "Yes")
  d$grade <- c(E = 6, M = 8, H = 10)[as.character(d$stype)]; d$one <- 1; d
}
c1 <- prep(apiclus1); c2 <- prep(apiclus2); st <- prep(apistrat)
write.csv(c1[, c("snum", "dnum", "grade", "stype", "pw", "fpc", "sw", "awd")], file.path(out, "apiclus1.csv"), row.names = FALSE)
write.csv(c2[, c("snum", "dnum", "grade", "stype", "pw", "fpc1", "fpc2", "sw", "awd")], file.path(out, "apiclus2.csv"), row.names = FALSE)
write.csv(st[, c("snum", "dnum", "grade", "stype", "pw", "fpc", "sw", "awd")], file.path(out, "apistrat.csv"), row.names = FALSE)

cases <- list(
  list(id = "clus1-clusters", data = c1, des = svydesign(id = ~dnum, weights = ~pw, data = c1)),
  list(id = "clus1-clusters-fpc", data = c1, des = svydesign(id = ~dnum, weights = ~pw, fpc = ~fpc, data = c1)),
  list(id = "clus1-clusters-unweighted", data = c1, des = svydesign(id = ~dnum, weights = ~one, data = c1)),
  list(id = "clus1-census", data = c1, des = svydesign(id = ~1, strata = ~dnum, weights = ~pw, data = c1)),
  list(id = "clus2-two-stage", data = c2, des = svydesign(id = ~dnum + snum, weights = ~pw, fpc = ~fpc1 + fpc2, data = c2)),
  list(id = "strat-clusters-fpc", data = st, des = svydesign(id = ~snum, strata = ~stype, weights = ~pw, fpc = ~fpc, data = st)),
  list(id = "strat-census-unweighted", data = st, des = svydesign(id = ~1, strata = ~dnum, weights = ~one, data = st)))

tight <- function(y, sub, offset = NULL) suppressWarnings(tryCatch(
  svyglm(as.formula(paste(y, "~ 1")), sub, family = quasibinomial, offset = offset,
         control = glm.control(epsilon = 1e-14, maxit = 100)), error = function(e) NULL))

rows <- c()
for (case in cases) for (g in c("all", "6", "8", "10")) for (y in c("sw", "awd")) {
  keep <- if (g == "all") rep(TRUE, nrow(case$data)) else case$data$grade == as.numeric(g)
  sub <- case$des[keep, ]
  m <- svymean(as.formula(paste0("~", y)), sub, deff = "replace")
  fit <- tight(y, sub)
  ci <- if (is.null(fit)) c(NA, NA) else plogis(confint(fit, 1, method = "Wald", ddf = degf(sub)))
  test <- tight(y, sub, offset = rep(qlogis(p0[[y]]), sum(keep)))
  co <- if (is.null(test)) rep(NA, 4) else summary(test, df.resid = degf(sub))$coefficients[1, ]
  rows <- c(rows, sprintf(paste0("{\"case\": \"%s\", \"grade\": \"%s\", \"indicator\": \"%s\", \"estimate\": %s, \"se\": %s, ",
                                 "\"deff\": %s, \"df\": %s, \"ci_low\": %s, \"ci_high\": %s, \"p\": %s}"),
                          case$id, g, y, num(coef(m)), num(SE(m)), num(deff(m)), num(degf(sub)), num(ci[1]), num(ci[2]), num(co[4])))
}
writeLines(sprintf("{\"p0\": {\"sw\": 0.8, \"awd\": 0.6}, \"results\": [\n%s]}\n", paste(rows, collapse = ",\n")),
           file.path(out, "api_oracle.json"))
