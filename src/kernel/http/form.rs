//! The one form component: every field's error at once, beside its field, with `aria-invalid`
//! and `aria-describedby`. Templates `{% import "layout/form.html" as form %}` and put
//! `{% call form::error(errors, "field", "input-id") %}` after a field and
//! `{{ errors.aria("field", "input-id")|safe }}` on its control.

use crate::kernel::error::AppError;
use crate::kernel::error::FieldError;

/// The errors a form is shown again with.
#[derive(Clone, Debug, Default)]
pub struct FormErrors {
    pub fields: Vec<FieldError>,
    /// An error of the whole form (a conflict, a limit), shown above it.
    pub general: Option<String>,
}

impl FormErrors {
    /// The errors of `e`: its fields, or a general message when it names none of `known`.
    pub fn from_error(e: &AppError, known: &[&str]) -> FormErrors {
        let fields: Vec<FieldError> = e
            .field_errors()
            .into_iter()
            .filter(|f| known.contains(&f.field.as_str()))
            .collect();
        if fields.is_empty() {
            FormErrors {
                fields,
                general: Some(e.public_message()),
            }
        } else {
            FormErrors {
                fields,
                general: None,
            }
        }
    }

    pub fn has(&self, field: &str) -> bool {
        self.fields.iter().any(|f| f.field == field)
    }

    pub fn get(&self, field: &str) -> &str {
        self.fields
            .iter()
            .find(|f| f.field == field)
            .map(|f| f.message.as_str())
            .unwrap_or("")
    }

    pub fn is_empty(&self) -> bool {
        self.fields.is_empty() && self.general.is_none()
    }

    /// The attributes of a control: `aria-invalid` and `aria-describedby` naming its error when
    /// it has one (`id` is a literal of the template, never input).
    pub fn aria(&self, field: &str, id: &str) -> String {
        if self.has(field) {
            format!(r#"aria-invalid="true" aria-describedby="{id}-error""#)
        } else {
            String::new()
        }
    }
}
