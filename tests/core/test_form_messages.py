"""Every form says what to do, in Vietnamese, instead of Django's stock messages (apps/core/form_messages.py)."""

import pytest
from django import forms
from django.core.validators import MaxLengthValidator
from django.utils import translation

STOCK = ["Trường này là bắt buộc", "Hãy chọn một lựa chọn hợp lệ", "không phải là một trong các lựa chọn"]


class EveryKindForm(forms.Form):
    name = forms.CharField(max_length=5)
    reason = forms.ChoiceField(choices=[("a", "A"), ("b", "B")])
    agree = forms.BooleanField()
    count = forms.IntegerField()
    day = forms.DateField()
    email = forms.EmailField()
    photo = forms.ImageField(required=False)


@pytest.fixture
def vietnamese():
    with translation.override("vi"):
        yield


def test_each_kind_of_field_says_what_to_do(vietnamese):
    form = EveryKindForm(data={"name": "Nguyễn Văn", "reason": "27286", "count": "ba", "day": "31/02/1990",
                               "email": "an@"})  # fmt: skip
    assert not form.is_valid()
    assert form.errors == {
        "name": ["Vui lòng viết ngắn lại, tối đa 5 ký tự (hiện có 10)."],
        "reason": ["Mục đã chọn không có trong danh sách. Vui lòng chọn lại trong danh sách."],
        "agree": ["Vui lòng đánh dấu vào ô này để tiếp tục."],
        "count": ["Vui lòng nhập số, chỉ gồm các chữ số."],
        "day": ["Vui lòng nhập ngày theo dạng ngày/tháng/năm, ví dụ 05/09/1990."],
        "email": ["Vui lòng nhập địa chỉ email đúng dạng, ví dụ ten@example.com."],
    }


def test_empty_fields_ask_to_fill_in_or_choose(vietnamese):
    errors = EveryKindForm(data={}).errors
    assert errors["name"] == ["Vui lòng điền mục này."]
    assert errors["reason"] == ["Vui lòng chọn một mục."]


def test_the_value_typed_is_never_echoed(vietnamese):
    errors = str(EveryKindForm(data={"reason": "<b>27286</b>"}).errors)
    assert "27286" not in errors


def test_english_pages_get_the_english_wording():
    with translation.override("en"):
        assert EveryKindForm(data={}).errors["reason"] == ["Please choose one of the options."]


def test_validators_created_before_the_messages_were_installed_use_them_too(vietnamese):
    with pytest.raises(forms.ValidationError) as raised:
        MaxLengthValidator(3)("abcd")
    assert raised.value.messages == ["Vui lòng viết ngắn lại, tối đa 3 ký tự (hiện có 4)."]


@pytest.mark.django_db
def test_a_citizen_form_shows_the_project_messages(client, demo_data):
    page = client.post("/phan-anh/", {}).content.decode()
    assert "Vui lòng chọn một mục." in page
    assert "Vui lòng điền mục này." in page
    assert not [stock for stock in STOCK if stock in page]


@pytest.mark.django_db
def test_a_ward_that_is_not_in_the_list_is_asked_again_without_its_code(client, demo_data):
    page = client.post("/thu-tuc/dang-ky-cu-tru/", {"province": "79", "ward": "27286999"}, follow=True).content.decode()
    assert "Mục đã chọn không có trong danh sách. Vui lòng chọn lại trong danh sách." in page
    assert not [stock for stock in STOCK if stock in page]
