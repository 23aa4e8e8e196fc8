"""个人信息: the unit read plainly, one's e-mail address, the password link, what one supervises."""

from django.urls import reverse

from county.models import User


def test_unit_reads_plainly(client, user_named):
    client.force_login(user_named("t02"))
    page = client.get(reverse("county:profile")).content.decode()
    assert "城关镇（乡镇" not in page
    assert "城关镇 <span" in page and "· 乡镇（街道）" in page


def test_enter_change_and_remove_the_email_address(client, user_named):
    user = user_named("d21")
    client.force_login(user)
    page = client.get(reverse("county:profile")).content.decode()
    assert "未登记邮箱，不发送邮件提醒" in page and "关闭邮件提醒" not in page
    url = reverse("county:email_address")
    response = client.post(url, {"email": "nongye@example.com"})
    assert response.status_code == 302
    assert User.objects.get(pk=user.pk).email == "nongye@example.com"
    page = client.get(reverse("county:profile")).content.decode()
    assert "邮件提醒已开启，发往 nongye@example.com" in page and "关闭邮件提醒" in page
    client.post(url, {"email": ""})
    assert User.objects.get(pk=user.pk).email == ""


def test_an_address_that_is_not_one_is_refused_in_chinese(client, user_named):
    user = user_named("d21")
    client.force_login(user)
    response = client.post(reverse("county:email_address"), {"email": "不是邮箱"})
    assert response.status_code == 400
    assert "请输入有效的电子邮箱地址" in response.content.decode()
    assert User.objects.get(pk=user.pk).email == ""


def test_profile_links_to_the_chinese_password_change(client, user_named):
    client.force_login(user_named("d21"))
    page = client.get(reverse("county:profile")).content.decode()
    assert reverse("password_change") in page
    form = client.get(reverse("password_change"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "修改密码" in form and "旧密码" in form


def test_supervisor_sees_the_workstreams_and_units_he_supervises(client, user_named):
    client.force_login(user_named("sup_d18"))
    page = client.get(reverse("county:profile")).content.decode()
    assert "我单位督查的工作" in page and "城乡环境" in page
    assert "同为督查单位" in page and "县农业农村局" in page
    assert "40 个部门、20 个乡镇（街道）" in page


def test_leader_sees_his_liaison_townships(client, user_named):
    leader = user_named("leader01")
    client.force_login(leader)
    page = client.get(reverse("county:profile")).content.decode()
    assert "联系乡镇" in page
    for township in leader.leader.liaison_townships.all():
        assert township.name in page
