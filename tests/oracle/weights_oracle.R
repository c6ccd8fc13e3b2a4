# R survey oracle for `ctc weights` and the calibration-aware SEs of `ctc profile`.
#
#   Rscript tests/oracle/weights_oracle.R [folder] [weights_oracle.json]
#
# 1. R's api data (apiclus1, one-stage cluster sample of districts with fpc):
#    postStratify(~stype), rake(~stype, ~sch.wide), calibrate(~stype + sch.wide,
#    calfun = "raking") and the same with bounds = c(0.89, 1.8); for each the weights and
#    svymean of api00, of high = (api00 > 700) and of api00 in subset(comp.imp == "Yes").
# 2. The simulated survey of make_weights_sim.py (weights_sim.csv, census design: schools
#    as strata, students as units) weighted to weights_sim.enrolment.csv by
#    postStratify(wave x municipality x grade x gender, partial = TRUE), rake to
#    (wave x municipality x grade, wave x municipality x gender) and calibrate(calfun =
#    "raking") to the same margins; for each the weights and svymean(na.rm = TRUE) of the
#    three indicators in every municipality (and all) x grade (and all) x gender (and all)
#    among the included respondents, as `ctc profile` reports them.
# Raking and calibration are run to convergence (epsilon 1e-13), so that the weights are
# the fixed point and not R's default stopping point. Numbers are printed with 17
# significant digits; non-finite values become null.

suppressMessages(library(survey))
options(survey.lonely.psu = "adjust")

args <- commandArgs(trailingOnly = TRUE)
here <- tryCatch(dirname(normalizePath(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)))),
                 error = function(e) ".")
folder <- if (length(args) >= 1) args[1] else here
out <- if (length(args) >= 2) args[2] else file.path(here, "weights_oracle.json")

num <- function(x) ifelse(is.finite(x), sprintf("%.17g", as.numeric(x)), "null")
vec <- function(x) paste0("[", paste(num(x), collapse = ","), "]")
str_json <- function(x) sprintf("\"%s\"", x)
stat <- function(name, m) sprintf("{\"name\":%s,\"estimate\":%s,\"se\":%s}", str_json(name), num(coef(m)[1]), num(SE(m)[1]))

# ---- 1. api ------------------------------------------------------------------------------
data(api)
apiclus1$high <- as.numeric(apiclus1$api00 > 700)
dclus1 <- svydesign(id = ~dnum, weights = ~pw, data = apiclus1, fpc = ~fpc)
pop.types <- data.frame(stype = c("E", "H", "M"), Freq = c(4421, 755, 1018))
pop.schwide <- data.frame(sch.wide = c("No", "Yes"), Freq = c(1072, 5122))
pop.cal <- c(`(Intercept)` = 6194, stypeH = 755, stypeM = 1018, sch.wideYes = 5122)
api_designs <- list(
  poststratify = postStratify(dclus1, ~stype, pop.types),
  rake = rake(dclus1, list(~stype, ~sch.wide), list(pop.types, pop.schwide),
              control = list(maxit = 500, epsilon = 1e-13, verbose = FALSE)),
  calibrate = calibrate(dclus1, ~stype + sch.wide, pop.cal, calfun = "raking", epsilon = 1e-13, maxit = 500),
  calibrate_bounded = calibrate(dclus1, ~stype + sch.wide, pop.cal, calfun = "raking", bounds = c(0.89, 1.8),
                                epsilon = 1e-13, maxit = 500)
)
api_json <- sapply(names(api_designs), function(method) {
  d <- api_designs[[method]]
  stats <- c(stat("api00", svymean(~api00, d)), stat("high", svymean(~high, d)),
             stat("api00_compimp", svymean(~api00, subset(d, comp.imp == "Yes"))))
  sprintf("%s:{\"weights\":%s,\"stats\":[%s]}", str_json(method), vec(weights(d)), paste(stats, collapse = ","))
})
api_csv <- apiclus1[, c("dnum", "pw", "fpc", "stype", "sch.wide", "comp.imp", "api00")]

# ---- 2. simulated survey -----------------------------------------------------------------
sim <- read.csv(file.path(folder, "weights_sim.csv"), stringsAsFactors = FALSE, check.names = FALSE)
enr <- read.csv(file.path(folder, "weights_sim.enrolment.csv"), stringsAsFactors = FALSE)
indicators <- c("flag.low_commitment_school", "flag.prosocial_involvement", "outcome.alcohol_30d")
for (ind in indicators) sim[[ind]] <- ifelse(sim[[ind]] == "True", 1, ifelse(sim[[ind]] == "False", 0, NA))
names(sim)[match(indicators, names(sim))] <- paste0("y", seq_along(indicators))
sim$skey <- paste(sim$municipality, sim$school, sep = "|")
key <- function(d, vars) do.call(paste, c(d[vars], sep = "|"))
sim$cell <- key(sim, c("wave", "municipality", "grade", "gender"))
sim$mg <- key(sim, c("wave", "municipality", "grade"))
sim$mx <- key(sim, c("wave", "municipality", "gender"))
enr$cell <- key(enr, c("wave", "municipality", "grade", "gender"))
enr$mg <- key(enr, c("wave", "municipality", "grade"))
enr$mx <- key(enr, c("wave", "municipality", "gender"))
pop_cell <- data.frame(cell = enr$cell, Freq = enr$enrolled)
pop_mg <- aggregate(list(Freq = enr$enrolled), list(mg = enr$mg), sum)
pop_mx <- aggregate(list(Freq = enr$enrolled), list(mx = enr$mx), sum)
sim$mg <- factor(sim$mg, levels = sort(pop_mg$mg))
sim$mx <- factor(sim$mx, levels = sort(pop_mx$mx))
pop_mg <- pop_mg[order(pop_mg$mg), ]
pop_mx <- pop_mx[order(pop_mx$mx), ]
pop_sim <- c(sum(enr$enrolled), pop_mg$Freq[-1], pop_mx$Freq[-1])
des <- svydesign(id = ~1, strata = ~skey, weights = ~weight, data = sim)
sim_designs <- list(
  poststratify = postStratify(des, ~cell, pop_cell, partial = TRUE),
  rake = rake(des, list(~mg, ~mx), list(pop_mg, pop_mx), control = list(maxit = 500, epsilon = 1e-13, verbose = FALSE)),
  calibrate = calibrate(des, ~mg + mx, pop_sim, calfun = "raking", epsilon = 1e-13, maxit = 500)
)
munis <- c(sort(unique(sim$municipality)), "all")
grades <- c(as.character(sort(unique(sim$grade))), "all")
genders <- c(sort(unique(sim$gender)), "all")
sim_json <- sapply(names(sim_designs), function(method) {
  d <- sim_designs[[method]]
  rows <- c()
  for (m in munis) for (g in grades) for (x in genders) {
    keep <- sim$excluded == 0 & (m == "all" | sim$municipality == m) & (g == "all" | as.character(sim$grade) == g) &
      (x == "all" | sim$gender == x)
    if (!any(keep)) next
    sub <- subset(d, keep)
    for (k in seq_along(indicators)) {
      y <- sim[[paste0("y", k)]]
      if (!any(keep & !is.na(y))) next
      est <- svymean(as.formula(paste0("~y", k)), sub, na.rm = TRUE)
      rows <- c(rows, sprintf("{\"municipality\":%s,\"grade\":%s,\"gender\":%s,\"indicator\":%s,\"estimate\":%s,\"se\":%s}",
                              str_json(m), str_json(g), str_json(x), str_json(indicators[k]),
                              num(coef(est)[1]), num(SE(est)[1])))
    }
  }
  sprintf("%s:{\"weights\":%s,\"domains\":[%s]}", str_json(method), vec(weights(d)), paste(rows, collapse = ",\n"))
})

api_rows <- sprintf("[%s,%s,%s,%s,%s,%s,%s]", num(api_csv$dnum), num(api_csv$pw), num(api_csv$fpc),
                    str_json(as.character(api_csv$stype)), str_json(as.character(api_csv$sch.wide)),
                    str_json(as.character(api_csv$comp.imp)), num(api_csv$api00))
json <- sprintf("{\"survey\":%s,\n\"api_data\":{\"columns\":[\"dnum\",\"pw\",\"fpc\",\"stype\",\"sch.wide\",\"comp.imp\",\"api00\"],\"rows\":[%s]},\n\"api\":{%s},\n\"sim\":{%s}}\n",
                str_json(as.character(packageVersion("survey"))), paste(api_rows, collapse = ","),
                paste(api_json, collapse = ",\n"), paste(sim_json, collapse = ",\n"))
writeLines(json, out)
