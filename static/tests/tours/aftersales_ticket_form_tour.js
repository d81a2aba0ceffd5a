import { registry } from "@web/core/registry";

registry.category("web_tour.tours").add("aftersales_ticket_form_tour", {
    url: "/odoo/action-aftersales.aftersales_ticket_action/new",
    steps: () => [
        {
            content: "Describe the call",
            trigger: ".o_field_widget[name=subject] input",
            run: "edit Grinder blocked",
        },
        {
            content: "Pick the customer",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Bar Centrale",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(Bar Centrale)",
            run: "click",
        },
        {
            content: "Pick the serial",
            trigger: ".o_field_widget[name=lot_id] input",
            run: "edit AUR-0001",
        },
        {
            trigger: ".o-autocomplete--dropdown-item:contains(AUR-0001)",
            run: "click",
        },
        {
            content: "The coverage is found at once: the serial is under warranty",
            trigger: ".o_field_widget[name=coverage_kind]:contains(Warranty)",
        },
        {
            trigger: ".o_field_widget[name=coverage_note]:contains(under warranty until)",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "Saved with its number",
            trigger: ".o_field_widget[name=name]:contains(TK/)",
        },
    ],
});
