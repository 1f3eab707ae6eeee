# Vietnamese officers and citizens write dates day first: 02/12/2026 is the 2nd of December. Django's own "vi"
# locale has display formats but no input formats, so "02/12/2026" would be read month first. Display formats
# not set here come from Django's "vi" locale.
FIRST_DAY_OF_WEEK = 1
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]
