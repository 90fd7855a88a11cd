//! `veerkracht analyse <analysis> …`: the analyses of `src/analysis` from the command line, on
//! files read by the same readers as the page (`analysis::import::read_table`), with the same
//! settings (a JSON file with `--settings`, the page's settings object; flags override it).
//! Output: JSON (default) or CSV (`--format csv`), to stdout or `--output FILE`.
//! The format is documented in `docs/ANALYSE-FORMAT.md`.

use std::collections::HashMap;
use std::fmt::Write as _;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::analysis::area_profile::{area_profile, ProfileInput, ProfileSettings};
use crate::analysis::band_index::{band_index, GroupColumns, IndexSettings};
use crate::analysis::bands::{count_per_band, BandSettings};
use crate::analysis::bivariate::{bivariate, AxisBreaks, BivariateSettings, NO_CLASS};
use crate::analysis::buurt_join::{
    join_scores_to_areas, AreaShares, BuurtJoinSettings, JoinedAreas, LongScores, ShareUnit,
};
use crate::analysis::import::{read_table, ImportOptions, ImportedTable};
use crate::analysis::map_classes::{
    bivariate_suppressed, change_classes, typology_suppressed, ChangeBreaks, ChangeSettings,
    SUPPRESSED,
};
use crate::analysis::tipping_point::{
    tipping_point_weighted, BandPosition, TippingInput, TippingPointSettings,
};
use crate::analysis::trend::{trend, TrendSettings};
use crate::analysis::typology::{typology, NamedColumn, TypologySettings, NONE};

const USAGE: &str = "\
usage: veerkracht analyse <analysis> [options]   (--format json|csv, --output FILE, --settings FILE.json)

  bands          --input T --share-column C [--dwellings-column D]
  index          --input T --share-column C --group G --denominator D [--reference-pct P]
  trend          --input T --share-column C --group-a GA --denominator-a DA --group-b GB --denominator-b DB
                 [--input-b T2] [--share-column-b C2] [--reference-a-pct P] [--reference-b-pct P]
                 [--high-from-pct 80] [--low-up-to-pct 10]
  tipping-point  --input T --share-column C --score-a A --score-b B
             or  --scores LBM.csv --score-column afw --year-a 2014 --year-b 2022 [--year-column jaar]
                 --areas KWB.csv --share-column perc_huurwoningen_in_bezit_woningcorporaties
                 --join bu_code=buurtcode
                 [--replicates 1000] [--seed 1] [--confidence 0.95] [--breakpoint-step 0.005]
                 [--min-locations-per-band 5] [--min-locations-per-segment 10] [--band-position meanShare|midpoint]
                 [--weight-column W | --weight dwellings --dwellings-column woningvoorraad]
             or  the long form with, instead of --areas/--share-column, the share within the radius
                 from squares: --squares VK100.csv --area-polygons BUURTEN.geojson [--radius-m 200]
                 [--corporation-column C] [--square-dwellings-column aantal_woningen]
  bivariate      --input T --level-a A --level-b B [--level-breaks LO,HI] [--change-breaks LO,HI] [--id-column ID]
             or  --scores LBM.csv --score-column lbm --year-a 2014 --year-b 2022 --code-column bu_code
  typology       --input T --settings RULES.json [--id-column ID]
  change         --input T --value-a A --value-b B [--edges E1,E2,…] [--id-column ID]
             or  --scores LBM.csv --score-column afw --year-a 2014 --year-b 2022 [--code-column bu_code]
  (bivariate, typology and change with --input: --count-column C [--suppress-below 10] gives a
   location whose count C is below k or missing no class: 254 in JSON, empty in CSV)
  series         --scores LBM.csv --score-column lbm[,fys,onv,…] [--code-column bu_code] [--year-column jaar]
                 --group-by level [--level-column lbm] [--base-year 2012] [--level-breaks LO,HI]
             or  --group-by band --areas KWB.csv --share-column C --join bu_code=buurtcode
  profile        --input T (--row N | --id ID [--id-column COL]) [--settings PROFILE.json] [--radius-m 200]
                 [--corporation-column C] [--dwellings-column D] [--group LABEL=NUM/DEN[,NUM_B/DEN_B]]
                 [--corporation-share-column perc_huurwoningen_in_bezit_woningcorporaties (areas)]

common: --bands 0,10,20,30,40,50,60,70,80   --share-unit auto|percent|fraction   --suppress-below 10
";

/// Runs `veerkracht analyse <analysis> …`; returns the exit code.
pub fn run(args: &[String]) -> i32 {
    let Some(which) = args.first() else {
        eprint!("{USAGE}");
        return 2;
    };
    if which == "--help" || which == "-h" {
        print!("{USAGE}");
        return 0;
    }
    let opts = match Opts::parse(&args[1..]) {
        Ok(o) => o,
        Err(e) => {
            eprintln!("veerkracht analyse {which}: {e}");
            return 2;
        }
    };
    let out = match which.as_str() {
        "bands" => run_bands(&opts),
        "index" => run_index(&opts),
        "trend" => run_trend(&opts),
        "tipping-point" => run_tipping_point(&opts),
        "bivariate" => run_bivariate(&opts),
        "typology" => run_typology(&opts),
        "change" => run_change(&opts),
        "profile" => run_profile(&opts),
        "series" => run_series(&opts),
        other => Err(format!("unknown analysis '{other}'\n{USAGE}")),
    };
    let text = match out.and_then(|o| opts.check_unused().map(|_| o)) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("veerkracht analyse {which}: {e}");
            return 2;
        }
    };
    match opts.raw.get("output").and_then(|v| v.first()) {
        Some(path) => {
            if let Err(e) = std::fs::write(path, text) {
                eprintln!("veerkracht analyse {which}: cannot write {path}: {e}");
                return 2;
            }
        }
        None => {
            use std::io::Write;
            // A closed pipe (`… | head`) is not an error.
            let mut stdout = std::io::stdout().lock();
            if let Err(e) = stdout
                .write_all(text.as_bytes())
                .and_then(|_| stdout.flush())
            {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    eprintln!("veerkracht analyse {which}: cannot write the output: {e}");
                    return 2;
                }
            }
        }
    }
    0
}

/// An analysis's output: JSON of the result, or its CSV form.
struct Output {
    json: String,
    csv: String,
}

/// `--key value` options (a key may repeat).
struct Opts {
    raw: HashMap<String, Vec<String>>,
    used: std::cell::RefCell<Vec<String>>,
}

impl Opts {
    fn parse(args: &[String]) -> Result<Opts, String> {
        let mut raw: HashMap<String, Vec<String>> = HashMap::new();
        let mut i = 0;
        while i < args.len() {
            let Some(key) = args[i].strip_prefix("--") else {
                return Err(format!(
                    "unexpected argument '{}' (options start with --)",
                    args[i]
                ));
            };
            let (key, value) = match key.split_once('=') {
                Some((k, v)) => (k.to_string(), v.to_string()),
                None => {
                    let v = args
                        .get(i + 1)
                        .ok_or_else(|| format!("option --{key} needs a value"))?;
                    i += 1;
                    (key.to_string(), v.clone())
                }
            };
            raw.entry(key).or_default().push(value);
            i += 1;
        }
        Ok(Opts {
            raw,
            used: Default::default(),
        })
    }

    fn get(&self, key: &str) -> Option<&str> {
        self.used.borrow_mut().push(key.to_string());
        self.raw.get(key).and_then(|v| v.last()).map(String::as_str)
    }

    fn all(&self, key: &str) -> Vec<String> {
        self.used.borrow_mut().push(key.to_string());
        self.raw.get(key).cloned().unwrap_or_default()
    }

    fn need(&self, key: &str) -> Result<&str, String> {
        self.get(key)
            .ok_or_else(|| format!("missing option --{key}\n{USAGE}"))
    }

    fn num<T: std::str::FromStr>(&self, key: &str) -> Result<Option<T>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => v
                .trim()
                .parse()
                .map(Some)
                .map_err(|_| format!("option --{key}: '{v}' is not a valid number")),
        }
    }

    fn pair(&self, key: &str) -> Result<Option<(f64, f64)>, String> {
        match self.get(key) {
            None => Ok(None),
            Some(v) => {
                let p = parse_list(key, v)?;
                if p.len() != 2 {
                    return Err(format!(
                        "option --{key}: give two numbers, like 1.5,3 (got '{v}')"
                    ));
                }
                Ok(Some((p[0], p[1])))
            }
        }
    }

    fn check_unused(&self) -> Result<(), String> {
        let used = self.used.borrow();
        let mut unknown: Vec<&String> = self
            .raw
            .keys()
            .filter(|k| !used.contains(k) && *k != "output" && *k != "format")
            .collect();
        unknown.sort();
        match unknown.first() {
            Some(k) => Err(format!("unknown option --{k} for this analysis\n{USAGE}")),
            None => Ok(()),
        }
    }

    /// The analysis's settings: `--settings FILE.json` or the defaults.
    fn settings<T: DeserializeOwned + Default>(&self) -> Result<T, String> {
        match self.get("settings") {
            None => Ok(T::default()),
            Some(path) => {
                let text = std::fs::read_to_string(path)
                    .map_err(|e| format!("cannot read settings file {path}: {e}"))?;
                serde_json::from_str(&text).map_err(|e| format!("settings file {path}: {e}"))
            }
        }
    }

    fn bands(&self, current: BandSettings) -> Result<BandSettings, String> {
        match self.get("bands") {
            None => Ok(current),
            Some(v) => Ok(BandSettings {
                lower_edges_pct: parse_list("bands", v)?,
            }),
        }
    }

    fn share_unit(&self) -> Result<ShareUnit, String> {
        match self.get("share-unit").unwrap_or("auto") {
            "auto" => Ok(ShareUnit::Auto),
            "percent" | "pct" => Ok(ShareUnit::Percent),
            "fraction" | "share" => Ok(ShareUnit::Fraction),
            other => Err(format!(
                "option --share-unit: '{other}' is not one of auto, percent, fraction"
            )),
        }
    }

    fn csv(&self) -> Result<bool, String> {
        match self
            .raw
            .get("format")
            .and_then(|v| v.last())
            .map(String::as_str)
        {
            None | Some("json") => Ok(false),
            Some("csv") => Ok(true),
            Some(other) => Err(format!("option --format: '{other}' is not json or csv")),
        }
    }

    fn finish(&self, out: Output) -> Result<String, String> {
        Ok(if self.csv()? { out.csv } else { out.json })
    }
}

fn parse_list(key: &str, v: &str) -> Result<Vec<f64>, String> {
    v.split(',')
        .map(|s| {
            s.trim()
                .parse::<f64>()
                .map_err(|_| format!("option --{key}: '{s}' is not a number (list like 0,10,20)"))
        })
        .collect()
}

fn to_json<T: Serialize>(v: &T) -> String {
    let mut s = serde_json::to_string_pretty(v).expect("results serialize");
    s.push('\n');
    s
}

/// A file read through the page's readers.
fn read(path: &str) -> Result<ImportedTable, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
    let name = std::path::Path::new(path)
        .file_name()
        .map_or(path.to_string(), |n| n.to_string_lossy().into_owned());
    read_table(&name, &bytes, &ImportOptions::default()).map_err(|e| e.to_string())
}

fn column_list(t: &ImportedTable) -> String {
    t.columns
        .iter()
        .map(|c| c.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn numeric(t: &ImportedTable, name: &str) -> Result<Vec<f64>, String> {
    let c = t.column(name).ok_or_else(|| {
        format!(
            "{}: no column '{name}' (columns: {})",
            t.file_name,
            column_list(t)
        )
    })?;
    c.values
        .clone()
        .ok_or_else(|| format!("{}: column '{name}' is not numeric", t.file_name))
}

fn text(t: &ImportedTable, name: &str) -> Result<Vec<String>, String> {
    let c = t.column(name).ok_or_else(|| {
        format!(
            "{}: no column '{name}' (columns: {})",
            t.file_name,
            column_list(t)
        )
    })?;
    Ok((0..t.n_rows()).map(|i| c.cell_text(i)).collect())
}

/// Row ids: `--id-column`, else a column named id / crs28992res100m / a code column, else row numbers.
fn ids(opts: &Opts, t: &ImportedTable) -> Result<Vec<String>, String> {
    if let Some(c) = opts.get("id-column") {
        return text(t, c);
    }
    for c in ["id", "crs28992res100m", "bu_code", "buurtcode", "code"] {
        if t.column(c).is_some() {
            return text(t, c);
        }
    }
    Ok((1..=t.n_rows()).map(|i| i.to_string()).collect())
}

/// The share column as `0..1` (`--share-unit`, auto = percent when a value exceeds 1).
fn share_column(opts: &Opts, t: &ImportedTable, key: &str) -> Result<Vec<f64>, String> {
    let name = opts.need(key)?;
    let v = numeric(t, name)?;
    let percent = match opts.share_unit()? {
        ShareUnit::Percent => true,
        ShareUnit::Fraction => false,
        ShareUnit::Auto => v.iter().any(|&s| s.is_finite() && s > 1.0),
    };
    Ok(if percent {
        v.iter().map(|s| s / 100.0).collect()
    } else {
        v
    })
}

// ---- CSV helpers ---------------------------------------------------------------------------

fn cell(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x}"))
}

fn quote(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

// ---- the analyses --------------------------------------------------------------------------

fn run_bands(opts: &Opts) -> Result<String, String> {
    let settings: BandSettings = opts.settings()?;
    let settings = opts.bands(settings)?;
    let t = read(opts.need("input")?)?;
    let share = share_column(opts, &t, "share-column")?;
    let dw = opts
        .get("dwellings-column")
        .map(|c| numeric(&t, c))
        .transpose()?;
    let r = count_per_band(&settings, &share, dw.as_deref()).map_err(|e| e.to_string())?;
    let mut csv = String::from("band,label,lower_pct,upper_pct,locations,dwellings\n");
    for b in &r.bands {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{}",
            b.band.index,
            b.band.label,
            b.band.lower_pct,
            cell(b.band.upper_pct),
            b.locations,
            cell(b.dwellings)
        );
    }
    let _ = writeln!(
        csv,
        ",outside,,,{},{}",
        r.outside_locations,
        cell(r.outside_dwellings)
    );
    opts.finish(Output {
        json: to_json(&r),
        csv,
    })
}

fn run_index(opts: &Opts) -> Result<String, String> {
    let mut settings: IndexSettings = opts.settings()?;
    settings.bands = opts.bands(settings.bands)?;
    if let Some(p) = opts.num("reference-pct")? {
        settings.reference_share_pct = Some(p);
    }
    if let Some(k) = opts.num("suppress-below")? {
        settings.suppress_below = k;
    }
    let t = read(opts.need("input")?)?;
    let share = share_column(opts, &t, "share-column")?;
    let group = numeric(&t, opts.need("group")?)?;
    let denom = numeric(&t, opts.need("denominator")?)?;
    let r = band_index(
        &settings,
        &GroupColumns {
            corporation_share: &share,
            group: &group,
            denominator: &denom,
        },
    )
    .map_err(|e| e.to_string())?;
    let mut csv = String::from(
        "band,label,lower_pct,upper_pct,locations,denominator_sum,group_sum,share,index,suppressed\n",
    );
    for row in &r.rows {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{}",
            row.band.index,
            row.band.label,
            row.band.lower_pct,
            cell(row.band.upper_pct),
            row.locations,
            row.denominator_sum,
            cell(row.group_sum),
            cell(row.share),
            cell(row.index),
            row.suppressed
        );
    }
    opts.finish(Output {
        json: to_json(&r),
        csv,
    })
}

fn run_trend(opts: &Opts) -> Result<String, String> {
    let mut settings: TrendSettings = opts.settings()?;
    settings.bands = opts.bands(settings.bands)?;
    if let Some(p) = opts.num("reference-a-pct")? {
        settings.reference_a_share_pct = Some(p);
    }
    if let Some(p) = opts.num("reference-b-pct")? {
        settings.reference_b_share_pct = Some(p);
    }
    if let Some(k) = opts.num("suppress-below")? {
        settings.suppress_below = k;
    }
    if let Some(v) = opts.num("high-from-pct")? {
        settings.high_from_pct = v;
    }
    if let Some(v) = opts.num("low-up-to-pct")? {
        settings.low_up_to_pct = v;
    }
    let ta = read(opts.need("input")?)?;
    let tb = match opts.get("input-b") {
        Some(p) => read(p)?,
        None => ta.clone(),
    };
    let share_a = share_column(opts, &ta, "share-column")?;
    let share_b = if opts.get("share-column-b").is_some() {
        share_column(opts, &tb, "share-column-b")?
    } else {
        share_column(opts, &tb, "share-column")?
    };
    let (ga, da) = (
        numeric(&ta, opts.need("group-a")?)?,
        numeric(&ta, opts.need("denominator-a")?)?,
    );
    let (gb, db) = (
        numeric(&tb, opts.need("group-b")?)?,
        numeric(&tb, opts.need("denominator-b")?)?,
    );
    let r = trend(
        &settings,
        &GroupColumns {
            corporation_share: &share_a,
            group: &ga,
            denominator: &da,
        },
        &GroupColumns {
            corporation_share: &share_b,
            group: &gb,
            denominator: &db,
        },
    )
    .map_err(|e| e.to_string())?;
    let mut csv = String::from(
        "band,label,lower_pct,upper_pct,locations_a,locations_b,share_a,share_b,index_a,index_b,change,gap_growth\n",
    );
    for row in &r.rows {
        let _ = writeln!(
            csv,
            "{},{},{},{},{},{},{},{},{},{},{},",
            row.band.index,
            row.band.label,
            row.band.lower_pct,
            cell(row.band.upper_pct),
            row.locations_a,
            row.locations_b,
            cell(row.share_a),
            cell(row.share_b),
            cell(row.index_a),
            cell(row.index_b),
            cell(row.change)
        );
    }
    let g = &r.gap;
    let diff = |a: Option<f64>, b: Option<f64>| cell(a.zip(b).map(|(a, b)| b - a));
    let _ = writeln!(
        csv,
        ",high,,,,,,,{},{},{},",
        cell(g.index_high_a),
        cell(g.index_high_b),
        diff(g.index_high_a, g.index_high_b)
    );
    let _ = writeln!(
        csv,
        ",low,,,,,,,{},{},{},",
        cell(g.index_low_a),
        cell(g.index_low_b),
        diff(g.index_low_a, g.index_low_b)
    );
    let _ = writeln!(
        csv,
        ",gap,,,,,,,{},{},{},{}",
        cell(g.gap_a),
        cell(g.gap_b),
        diff(g.gap_a, g.gap_b),
        cell(g.gap_growth)
    );
    opts.finish(Output {
        json: to_json(&r),
        csv,
    })
}

/// Long scores (`--scores`) joined to areas (`--areas`), for two years.
fn joined_areas(opts: &Opts, with_areas: bool) -> Result<JoinedAreas, String> {
    let scores = read(opts.need("scores")?)?;
    let year_column = opts.get("year-column").unwrap_or("jaar");
    let score_column = opts.need("score-column")?;
    let year_a: i32 = opts.num("year-a")?.ok_or("missing option --year-a")?;
    let year_b: i32 = opts.num("year-b")?.ok_or("missing option --year-b")?;
    let (score_code, area_code) = if with_areas {
        let join = opts.need("join")?;
        let (s, a) = join.split_once('=').ok_or_else(|| {
            format!(
                "option --join: write SCORE_CODE=AREA_CODE, like bu_code=buurtcode (got '{join}')"
            )
        })?;
        (s.to_string(), a.to_string())
    } else {
        (
            opts.get("code-column").unwrap_or("bu_code").to_string(),
            String::new(),
        )
    };
    let codes = text(&scores, &score_code)?;
    let years = numeric(&scores, year_column)?;
    let values = numeric(&scores, score_column)?;
    let mut settings = BuurtJoinSettings {
        year_a,
        year_b,
        share_unit: opts.share_unit()?,
    };
    let (area_codes, share, dwellings) = if with_areas && opts.raw.contains_key("squares") {
        let (codes, share, dw) = area_shares_from_squares(opts, &area_code)?;
        settings.share_unit = ShareUnit::Fraction;
        (codes, share, Some(dw))
    } else if with_areas {
        let areas = read(opts.need("areas")?)?;
        let share = numeric(&areas, opts.need("share-column")?)?;
        let dw = opts
            .get("dwellings-column")
            .map(|c| numeric(&areas, c))
            .transpose()?;
        (text(&areas, &area_code)?, share, dw)
    } else {
        (vec![], vec![], None)
    };
    join_scores_to_areas(
        &settings,
        &LongScores {
            codes: &codes,
            years: &years,
            values: &values,
        },
        &AreaShares {
            codes: &area_codes,
            share: &share,
            dwellings: dwellings.as_deref(),
        },
    )
    .map_err(|e| e.to_string())
}

/// Area codes, corporation share (`0..1`) and dwellings per area.
type AreaColumns = (Vec<String>, Vec<f64>, Vec<f64>);

/// Per area: the dwelling-weighted mean of its squares' corporation share within the radius
/// (engine buffer scores), the areas from a polygon file; also the dwellings per area.
fn area_shares_from_squares(opts: &Opts, area_code: &str) -> Result<AreaColumns, String> {
    use crate::analysis::area_aggregate::weighted_mean_per_area;
    use crate::analysis::area_join::AreaLayer;
    use crate::analysis::buffer_share::{score, ScoreSettings};
    use crate::analysis::import::{detect_location, to_location_table};
    let squares = read(opts.need("squares")?)?;
    let polygons = read(opts.need("area-polygons")?)?;
    let layer = AreaLayer::from_table("areas", &polygons, area_code).map_err(|e| e.to_string())?;
    let mapping = detect_location(&squares)
        .mapping
        .ok_or_else(|| format!("{}: no location columns found", squares.file_name))?;
    let table = to_location_table(&squares, &mapping).map_err(|e| e.to_string())?;
    let corp = opts
        .get("corporation-column")
        .unwrap_or("aantal_huurwoningen_in_bezit_woningcorporaties");
    let dw = opts
        .get("square-dwellings-column")
        .unwrap_or("aantal_woningen");
    let mut settings = ScoreSettings::new(dw, &[corp]);
    if let Some(r) = opts.num("radius-m")? {
        settings.radius_m = r;
    }
    if let Some(k) = opts.num("suppress-below")? {
        settings.suppress_below = k;
    }
    let scored = score(&table, &settings).map_err(|e| e.to_string())?;
    let dwellings = &table
        .column(dw)
        .ok_or_else(|| format!("{}: no column '{dw}'", squares.file_name))?
        .values;
    let area_of = layer.areas_of_points(&table.x_rd, &table.y_rd);
    let means = weighted_mean_per_area(
        &area_of,
        layer.len(),
        &scored.shares[0],
        dwellings,
        settings.suppress_below,
    )
    .map_err(|e| e.to_string())?;
    Ok((layer.codes.clone(), means.mean, means.weight_sum))
}

fn run_tipping_point(opts: &Opts) -> Result<String, String> {
    let mut s: TippingPointSettings = opts.settings()?;
    s.bands = opts.bands(s.bands)?;
    if let Some(v) = opts.num("replicates")? {
        s.bootstrap_replicates = v;
    }
    if let Some(v) = opts.num("seed")? {
        s.seed = v;
    }
    if let Some(v) = opts.num("confidence")? {
        s.confidence = v;
    }
    if let Some(v) = opts.num("breakpoint-step")? {
        s.breakpoint_step = v;
    }
    if let Some(v) = opts.num("min-locations-per-band")? {
        s.min_locations_per_band = v;
    }
    if let Some(v) = opts.num("min-locations-per-segment")? {
        s.min_locations_per_segment = v;
    }
    match opts.get("band-position") {
        None => {}
        Some("meanShare") | Some("mean-share") => s.band_position = BandPosition::MeanShare,
        Some("midpoint") => s.band_position = BandPosition::Midpoint,
        Some(o) => {
            return Err(format!(
                "option --band-position: '{o}' is not meanShare or midpoint"
            ))
        }
    }
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out<'a> {
        #[serde(skip_serializing_if = "Option::is_none")]
        join: Option<&'a crate::analysis::buurt_join::JoinReport>,
        settings: &'a TippingPointSettings,
        #[serde(flatten)]
        result: &'a crate::analysis::tipping_point::TippingPointResult,
    }
    let (share, a, b, weights, join) = if opts.raw.contains_key("scores") {
        let j = joined_areas(opts, true)?;
        let weights = match opts.get("weight") {
            None | Some("none") => None,
            Some("dwellings")
                if opts.raw.contains_key("dwellings-column")
                    || opts.raw.contains_key("squares") =>
            {
                Some(j.dwellings)
            }
            Some("dwellings") => {
                return Err(
                    "--weight dwellings needs --dwellings-column (in the areas file)".into(),
                )
            }
            Some(o) => return Err(format!("option --weight: '{o}' is not none or dwellings")),
        };
        (
            j.corporation_share,
            j.score_a,
            j.score_b,
            weights,
            Some(j.report),
        )
    } else {
        let t = read(opts.need("input")?)?;
        (
            share_column(opts, &t, "share-column")?,
            numeric(&t, opts.need("score-a")?)?,
            numeric(&t, opts.need("score-b")?)?,
            opts.get("weight-column")
                .map(|c| numeric(&t, c))
                .transpose()?,
            None,
        )
    };
    let r = tipping_point_weighted(
        &s,
        &TippingInput {
            corporation_share: &share,
            score_a: &a,
            score_b: &b,
        },
        weights.as_deref(),
    )
    .map_err(|e| e.to_string())?;
    let mut csv = String::from(
        "row,band,label,locations,position_share,mean_share,mean_change,sd_change,used,method,status,share,lower,upper,replicates_with_estimate\n",
    );
    for m in &r.bands {
        let _ = writeln!(
            csv,
            "band,{},{},{},{},{},{},{},{},,,,,,",
            m.band.index,
            m.band.label,
            m.locations,
            cell(m.position_share),
            cell(m.mean_share),
            cell(m.mean_change),
            cell(m.sd_change),
            m.used
        );
    }
    for (method, e) in [
        ("interpolated", &r.interpolated),
        ("brokenLine", &r.broken_line_crossing),
    ] {
        let iv = e.interval.as_ref();
        let _ = writeln!(
            csv,
            "estimate,,,{},,,,,,{method},{},{},{},{},{}",
            r.locations_used,
            serde_json::to_value(e.status)
                .expect("status")
                .as_str()
                .unwrap_or_default(),
            cell(e.share),
            cell(iv.map(|i| i.lower)),
            cell(iv.map(|i| i.upper)),
            iv.map_or(0, |i| i.replicates_with_estimate)
        );
    }
    if let Some(l) = &r.broken_line {
        let iv = l.breakpoint_interval.as_ref();
        let _ = writeln!(
            csv,
            "estimate,,,{},,,,,,breakpoint,,{},{},{},{}",
            r.locations_used,
            l.breakpoint,
            cell(iv.map(|i| i.lower)),
            cell(iv.map(|i| i.upper)),
            iv.map_or(0, |i| i.replicates_with_estimate)
        );
    }
    opts.finish(Output {
        json: to_json(&Out {
            join: join.as_ref(),
            settings: &s,
            result: &r,
        }),
        csv,
    })
}

fn run_bivariate(opts: &Opts) -> Result<String, String> {
    let mut s: BivariateSettings = opts.settings()?;
    if let Some((low, high)) = opts.pair("level-breaks")? {
        s.level = AxisBreaks::Breaks { low, high };
    }
    if let Some((low, high)) = opts.pair("change-breaks")? {
        s.change = AxisBreaks::Breaks { low, high };
    }
    let (ids, a, b, units) = if opts.raw.contains_key("scores") {
        let j = joined_areas(opts, false)?;
        (j.codes, j.score_a, j.score_b, None)
    } else {
        let t = read(opts.need("input")?)?;
        (
            ids(opts, &t)?,
            numeric(&t, opts.need("level-a")?)?,
            numeric(&t, opts.need("level-b")?)?,
            count_column(opts, &t)?,
        )
    };
    match &units {
        None => {
            let r = bivariate(&s, &a, &b).map_err(|e| e.to_string())?;
            bivariate_output(opts, &ids, &a, &b, &r, None)
        }
        Some((u, k)) => {
            let r = bivariate_suppressed(&s, &a, &b, Some(u), *k).map_err(|e| e.to_string())?;
            bivariate_output(opts, &ids, &a, &b, &r.result, Some(r.locations_suppressed))
        }
    }
}

/// `--count-column C` and k (`--suppress-below`, default 10): per-location suppression.
fn count_column(opts: &Opts, t: &ImportedTable) -> Result<Option<(Vec<f64>, f64)>, String> {
    let Some(c) = opts.get("count-column") else {
        return Ok(None);
    };
    let k = opts.num("suppress-below")?.unwrap_or(10.0);
    Ok(Some((numeric(t, c)?, k)))
}

fn bivariate_output(
    opts: &Opts,
    ids: &[String],
    a: &[f64],
    b: &[f64],
    r: &crate::analysis::bivariate::BivariateResult,
    suppressed: Option<u32>,
) -> Result<String, String> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out<'a> {
        ids: &'a [String],
        #[serde(flatten)]
        result: &'a crate::analysis::bivariate::BivariateResult,
        #[serde(skip_serializing_if = "Option::is_none")]
        locations_suppressed: Option<u32>,
    }
    let mut csv = String::from("id,level_a,level_b,change,class,level_class,change_class\n");
    for i in 0..ids.len() {
        let c = r.classes[i];
        let (cls, lc, cc) = if c == NO_CLASS || c == SUPPRESSED {
            (String::new(), String::new(), String::new())
        } else {
            (c.to_string(), (c / 3).to_string(), (c % 3).to_string())
        };
        // A suppressed location's values are not printed either.
        let ok = |v: f64| (!v.is_nan() && c != SUPPRESSED).then_some(v);
        let _ = writeln!(
            csv,
            "{},{},{},{},{cls},{lc},{cc}",
            quote(&ids[i]),
            cell(ok(a[i])),
            cell(ok(b[i])),
            cell(ok(b[i] - a[i])),
        );
    }
    opts.finish(Output {
        json: to_json(&Out {
            ids,
            result: r,
            locations_suppressed: suppressed,
        }),
        csv,
    })
}

fn run_typology(opts: &Opts) -> Result<String, String> {
    let s: TypologySettings = opts.settings()?;
    let t = read(opts.need("input")?)?;
    let ids = ids(opts, &t)?;
    let numeric_cols: Vec<(String, Vec<f64>)> = t
        .columns
        .iter()
        .filter_map(|c| c.values.clone().map(|v| (c.name.clone(), v)))
        .collect();
    let cols: Vec<NamedColumn<'_>> = numeric_cols
        .iter()
        .map(|(n, v)| NamedColumn { name: n, values: v })
        .collect();
    let (r, suppressed) = match count_column(opts, &t)? {
        None => (typology(&s, &cols).map_err(|e| e.to_string())?, None),
        Some((u, k)) => {
            let r = typology_suppressed(&s, &cols, Some(&u), k).map_err(|e| e.to_string())?;
            (r.result, Some(r.locations_suppressed))
        }
    };
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out<'a> {
        ids: &'a [String],
        #[serde(flatten)]
        result: &'a crate::analysis::typology::TypologyResult,
        #[serde(skip_serializing_if = "Option::is_none")]
        locations_suppressed: Option<u32>,
    }
    let mut csv = String::from("id,rule,class,intensity\n");
    for (i, id) in ids.iter().enumerate() {
        let (rule, class) = match r.rule[i] {
            NONE | SUPPRESSED => (String::new(), String::new()),
            k => (k.to_string(), quote(&r.rules[k as usize].class)),
        };
        let intensity = match r.intensity[i] {
            NONE => String::new(),
            k => k.to_string(),
        };
        let _ = writeln!(csv, "{},{rule},{class},{intensity}", quote(id));
    }
    opts.finish(Output {
        json: to_json(&Out {
            ids: &ids,
            result: &r,
            locations_suppressed: suppressed,
        }),
        csv,
    })
}

/// The change between two years in classes centred on 0 (`analysis::map_classes`).
fn run_change(opts: &Opts) -> Result<String, String> {
    let mut s: ChangeSettings = opts.settings()?;
    if let Some(v) = opts.get("edges") {
        s.breaks = ChangeBreaks::Edges {
            edges: parse_list("edges", v)?,
        };
    }
    let (ids, a, b, units) = if opts.raw.contains_key("scores") {
        let j = joined_areas(opts, false)?;
        (j.codes, j.score_a, j.score_b, None)
    } else {
        let t = read(opts.need("input")?)?;
        (
            ids(opts, &t)?,
            numeric(&t, opts.need("value-a")?)?,
            numeric(&t, opts.need("value-b")?)?,
            count_column(opts, &t)?,
        )
    };
    if let Some((_, k)) = &units {
        s.suppress_below = *k;
    }
    let r =
        change_classes(&s, &a, &b, units.as_ref().map(|u| &u.0[..])).map_err(|e| e.to_string())?;
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Out<'a> {
        ids: &'a [String],
        #[serde(flatten)]
        result: &'a crate::analysis::map_classes::ChangeResult,
    }
    let mut csv = String::from("id,value_a,value_b,change,class\n");
    let ok = |v: f64| (!v.is_nan()).then_some(v);
    for i in 0..ids.len() {
        let c = r.classes[i];
        let cls = if c == NO_CLASS || c == SUPPRESSED {
            String::new()
        } else {
            c.to_string()
        };
        let hide = c == SUPPRESSED;
        let _ = writeln!(
            csv,
            "{},{},{},{},{cls}",
            quote(&ids[i]),
            cell(ok(a[i]).filter(|_| !hide)),
            cell(ok(b[i]).filter(|_| !hide)),
            cell(ok(r.change[i])),
        );
    }
    opts.finish(Output {
        json: to_json(&Out {
            ids: &ids,
            result: &r,
        }),
        csv,
    })
}

fn run_profile(opts: &Opts) -> Result<String, String> {
    let mut s: ProfileSettings = opts.settings()?;
    s.bands = opts.bands(s.bands)?;
    if let Some(r) = opts.num("radius-m")? {
        s.radius_m = r;
    }
    if let Some(k) = opts.num("suppress-below")? {
        s.suppress_below = k;
    }
    if let Some(c) = opts.get("corporation-column") {
        s.corporation_column = c.to_string();
    }
    if let Some(c) = opts.get("dwellings-column") {
        s.dwellings_column = c.to_string();
    }
    if let Some(c) = opts.get("corporation-share-column") {
        s.corporation_share_column = Some(c.to_string());
        s.corporation_share_in_percent = !matches!(opts.share_unit()?, ShareUnit::Fraction);
    }
    for g in opts.all("group") {
        s.groups.push(parse_group(&g)?);
    }
    let t = read(opts.need("input")?)?;
    let row = match (opts.num::<usize>("row")?, opts.get("id")) {
        (Some(r), _) => r,
        (None, Some(id)) => {
            let ids = ids(opts, &t)?;
            ids.iter()
                .position(|x| x == id)
                .ok_or_else(|| format!("{}: no location with id '{id}'", t.file_name))?
        }
        (None, None) => return Err("give --row N (0-based) or --id ID".into()),
    };
    let numeric_cols: Vec<(String, Vec<f64>)> = t
        .columns
        .iter()
        .filter_map(|c| c.values.clone().map(|v| (c.name.clone(), v)))
        .collect();
    let cols: Vec<NamedColumn<'_>> = numeric_cols
        .iter()
        .map(|(n, v)| NamedColumn { name: n, values: v })
        .collect();
    // Coordinates when the file has them (RD x/y, lat/lon, square ids); areas without them use
    // their own figures.
    use crate::analysis::import::{detect_location, to_location_table, LocationSource};
    let (x, y) = match detect_location(&t).mapping {
        Some(m) if !matches!(m.source, LocationSource::AreaCode { .. }) => {
            let lt = to_location_table(&t, &m).map_err(|e| e.to_string())?;
            if lt.x_rd.len() != t.n_rows() {
                return Err(format!("{}: some rows have no location", t.file_name));
            }
            (Some(lt.x_rd), Some(lt.y_rd))
        }
        _ => (None, None),
    };
    let p = area_profile(
        &s,
        &ProfileInput {
            x_rd: x.as_deref(),
            y_rd: y.as_deref(),
            columns: &cols,
        },
        row,
    )
    .map_err(|e| e.to_string())?;
    let mut csv = String::from("section,name,value,within_radius\n");
    for (i, own) in p.own.iter().enumerate() {
        let within = p.within_radius.as_ref().and_then(|w| w[i].value);
        let _ = writeln!(
            csv,
            "figure,{},{},{}",
            quote(&own.name),
            cell(own.value),
            cell(within)
        );
    }
    let _ = writeln!(csv, "corporation_share,,{},", cell(p.corporation_share));
    let _ = writeln!(
        csv,
        "band,{},,",
        p.band.as_ref().map_or(String::new(), |b| b.label.clone())
    );
    for g in &p.groups {
        for (name, v) in [
            ("share_a", g.share_a),
            ("share_b", g.share_b),
            ("change", g.change),
            ("index_a", g.index_a),
            ("index_b", g.index_b),
        ] {
            let _ = writeln!(csv, "group:{},{name},{},", quote(&g.label), cell(v));
        }
    }
    opts.finish(Output {
        json: to_json(&p),
        csv,
    })
}

/// `LABEL=NUM/DEN[,NUM_B/DEN_B]`.
fn parse_group(s: &str) -> Result<crate::analysis::area_profile::GroupSpec, String> {
    let bad = || format!("option --group: write LABEL=NUM/DEN[,NUM_B/DEN_B] (got '{s}')");
    let (label, rest) = s.split_once('=').ok_or_else(bad)?;
    let mut years = rest.split(',');
    let (na, da) = years
        .next()
        .and_then(|p| p.split_once('/'))
        .ok_or_else(bad)?;
    let b = years
        .next()
        .map(|p| p.split_once('/').ok_or_else(bad))
        .transpose()?;
    Ok(crate::analysis::area_profile::GroupSpec {
        label: label.to_string(),
        numerator: na.to_string(),
        denominator: da.to_string(),
        numerator_b: b.map(|b| b.0.to_string()),
        denominator_b: b.map(|b| b.1.to_string()),
        ..Default::default()
    })
}

fn run_series(opts: &Opts) -> Result<String, String> {
    use crate::analysis::group_stats::{series, GroupBy, LongTable, SeriesSettings, SharesByCode};
    let mut s: SeriesSettings = opts.settings()?;
    let scores = read(opts.need("scores")?)?;
    let code_column = opts.get("code-column").unwrap_or("bu_code").to_string();
    let year_column = opts.get("year-column").unwrap_or("jaar");
    let names: Vec<String> = opts
        .need("score-column")?
        .split(',')
        .map(|c| c.trim().to_string())
        .collect();
    let values = names
        .iter()
        .map(|c| numeric(&scores, c))
        .collect::<Result<Vec<_>, _>>()?;
    match opts.get("group-by") {
        None => {}
        Some("level") => {
            let breaks = match opts.pair("level-breaks")? {
                Some((low, high)) => AxisBreaks::Breaks { low, high },
                None => AxisBreaks::Tertiles,
            };
            s.group_by = GroupBy::Level {
                column: opts.get("level-column").unwrap_or(&names[0]).to_string(),
                base_year: opts.num("base-year")?.unwrap_or(2012),
                breaks,
            };
        }
        Some("band") => {
            s.group_by = GroupBy::Band {
                bands: opts.bands(BandSettings::default())?,
            }
        }
        Some(o) => return Err(format!("option --group-by: '{o}' is not level or band")),
    }
    let (codes, area_codes, share) = if matches!(s.group_by, GroupBy::Band { .. }) {
        let join = opts.need("join")?;
        let (sc, ac) = join.split_once('=').ok_or_else(|| {
            format!(
                "option --join: write SCORE_CODE=AREA_CODE, like bu_code=buurtcode (got '{join}')"
            )
        })?;
        let areas = read(opts.need("areas")?)?;
        let share = share_column(opts, &areas, "share-column")?;
        (text(&scores, sc)?, text(&areas, ac)?, share)
    } else {
        (text(&scores, &code_column)?, vec![], vec![])
    };
    let years = numeric(&scores, year_column)?;
    let cols: Vec<NamedColumn<'_>> = names
        .iter()
        .zip(&values)
        .map(|(n, v)| NamedColumn { name: n, values: v })
        .collect();
    let shares = SharesByCode {
        codes: &area_codes,
        share: &share,
    };
    let r = series(
        &s,
        &LongTable {
            codes: &codes,
            years: &years,
            columns: &cols,
        },
        (!area_codes.is_empty()).then_some(&shares),
    )
    .map_err(|e| e.to_string())?;
    let mut csv = String::from("group,label,areas,column,year,locations,mean\n");
    for g in &r.groups {
        for c in &g.columns {
            for p in &c.points {
                let _ = writeln!(
                    csv,
                    "{},{},{},{},{},{},{}",
                    g.group,
                    g.label,
                    g.areas,
                    quote(&c.column),
                    p.year,
                    p.locations,
                    cell(p.mean)
                );
            }
        }
    }
    opts.finish(Output {
        json: to_json(&r),
        csv,
    })
}
