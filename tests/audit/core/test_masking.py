from fuhe.audit.core.masking import mask_address, mask_id_number, mask_phone, mask_text


def test_mask_phone():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("138-1234-1234") == "138****1234"
    assert mask_phone("") == ""


def test_mask_id_number_keeps_region_prefix_and_last_four():
    assert mask_id_number("12010119900101123X") == "120101********123X"
    assert mask_id_number("12345") == "*****"


def test_mask_address_hides_house_level():
    assert mask_address("天津市和平区劝业场街道花园路3号楼2门") == "天津市和平区****"


def test_mask_text_in_free_text():
    text = "联系人电话13812341234，身份证12010119900101123X，订单号2020010112345678901"
    masked = mask_text(text)
    assert "13812341234" not in masked and "138****1234" in masked
    assert "120101********123X" in masked
    assert "2020010112345678901" in masked  # 19 digits is not an ID number
