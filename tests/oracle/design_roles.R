# R survey oracle for the design columns a mapping declares (@stratum, @schools_population,
# @enrolled), on the scored file `ctc score` writes from the same survey and mapping.
#
#   Rscript tests/oracle/design_roles.R scored.csv out.json
#
# For each municipality and the two designs the test runs through `ctc profile`:
#   "clusters-two-stage": svydesign(id = ~school + respondent, strata = ~stratum, nest = TRUE,
#                                   fpc = ~schools_population + enrolled)
#   "census-fpc":         svydesign(id = ~1, strata = ~school, fpc = ~enrolled)
# on subset(des, !excluded), the pooled domain (all grades, all genders), every flag column:
#   svymean(na.rm = TRUE) estimate and SE, degf(subset), and the svyciprop(method = "logit")
#   interval through svyglm(quasibinomial) converged to 1e-14.
# Unweighted: every weight 1 (given explicitly: without weights R derives them from the fpc). Numbers with 17 significant digits; non-finite become null.

suppressMessages(library(survey))
options(survey.lonely.psu = "adjust", survey.adjust.domain.lonely = FALSE)
args <- commandArgs(trailingOnly = TRUE)
data <- read.csv(args[1], stringsAsFactors = FALSE, check.names = FALSE)
data$excluded <- as.logical(data$excluded)
flags <- grep("^flag\\.", names(data), value = TRUE)
for (f in flags) data[[f]] <- as.numeric(as.logical(data[[f]]))
data$one <- 1
data$school <- paste(data$municipality, data$school, sep = "\x1f")
num <- function(x) { x <- unname(as.numeric(x)); if (length(x) != 1 || !is.finite(x)) "null" else sprintf("%.17g", x) }

designs <- list(
  "clusters-two-stage" = function(d) svydesign(id = ~school + respondent, strata = ~stratum, nest = TRUE,
                                               fpc = ~schools_population + enrolled, weights = ~one, data = d),
  "census-fpc" = function(d) svydesign(id = ~1, strata = ~school, fpc = ~enrolled, weights = ~one, data = d))

out <- c()
for (case in names(designs)) for (m in sort(unique(data$municipality))) {
  d <- data[data$municipality == m, ]
  sub <- subset(designs[[case]](d), !excluded)
  for (f in flags) {
    est <- svymean(as.formula(paste0("~`", f, "`")), sub, na.rm = TRUE)
    fit <- suppressWarnings(tryCatch(svyglm(as.formula(paste0("`", f, "` ~ 1")), sub, family = quasibinomial,
                                            control = glm.control(epsilon = 1e-14, maxit = 100)), error = function(e) NULL))
    ci <- if (is.null(fit)) c(NA, NA) else plogis(confint(fit, 1, level = 0.95, method = "Wald", ddf = degf(sub)))
    out <- c(out, sprintf("{\"case\": \"%s\", \"municipality\": \"%s\", \"indicator\": \"%s\", \"estimate\": %s, \"se\": %s, \"df\": %s, \"ci_low\": %s, \"ci_high\": %s}",
                          case, m, sub("^flag\\.", "", f), num(coef(est)), num(SE(est)), num(degf(sub)), num(ci[1]), num(ci[2])))
  }
}
writeLines(paste0("[\n", paste(out, collapse = ",\n"), "\n]"), args[2])
