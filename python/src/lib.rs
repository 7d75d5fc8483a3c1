//! wordvec's Python extension (`wordvec._wordvec`): training through the library's [`Run`] with
//! settings parsed as `wordvec train` parses its flags (so every default is the library's), the
//! records of a run handed to Python callbacks, and the vectors as a [`Model`] whose matrix NumPy
//! reads in place. The pure-Python package beside it (`py_src/wordvec`) turns keyword arguments
//! into those flags and adds what Python users expect (`to_gensim`, token-list corpora).

mod errors;
mod model;
mod training;

use pyo3::prelude::*;

/// The extension module; `wordvec/__init__.py` re-exports what users call.
#[pymodule]
fn _wordvec(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("Error", m.py().get_type::<errors::Error>())?;
    m.add("Stopped", m.py().get_type::<errors::Stopped>())?;
    m.add_class::<model::Model>()?;
    m.add_function(wrap_pyfunction!(training::train, m)?)?;
    m.add_function(wrap_pyfunction!(training::resume, m)?)?;
    m.add_function(wrap_pyfunction!(model::load, m)?)?;
    m.add_function(wrap_pyfunction!(training::settings_help, m)?)?;
    m.add_function(wrap_pyfunction!(training::switches, m)?)?;
    Ok(())
}
